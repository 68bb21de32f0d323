import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { siphash24, sipKeyOf } from '../../src/dns/siphash.js';

// The reference implementation's vectors (vectors.h, vectors_sip64): key 00 01 .. 0f, message
// 00 01 .. n-1, the tag as the 64-bit value the reference prints. Lengths 0..42 cover every
// tail length and the 20- and 32-octet inputs of server cookies (RFC 9018 4.4).
const REFERENCE = [
  '726fdb47dd0e0e31', '74f839c593dc67fd', '0d6c8009d9a94f5a', '85676696d7fb7e2d', 'cf2794e0277187b7', '18765564cd99a68d',
  'cbc9466e58fee3ce', 'ab0200f58b01d137', '93f5f5799a932462', '9e0082df0ba9e4b0', '7a5dbbc594ddb9f3', 'f4b32f46226bada7',
  '751e8fbc860ee5fb', '14ea5627c0843d90', 'f723ca908e7af2ee', 'a129ca6149be45e5', '3f2acc7f57c29bdb', '699ae9f52cbe4794',
  '4bc1b3f0968dd39c', 'bb6dc91da77961bd', 'bed65cf21aa2ee98', 'd0f2cbb02e3b67c7', '93536795e3a33e88', 'a80c038ccd5ccec8',
  'b8ad50c6f649af94', 'bce192de8a85b8ea', '17d835b85bbb15f3', '2f2e6163076bcfad', 'de4daaaca71dc9a5', 'a6a2506687956571',
  'ad87a3535c49ef28', '32d892fad841c342', '7127512f72f27cce', 'a7f32346f95978e3', '12e0b01abb051238', '15e034d40fa197ae',
  '314dffbe0815a3b4', '027990f029623981', 'cadcd4e59ef40c4d', '9abfd8766a33735c', '0e3ea96b5304a7d0', 'ad0c42d6fc585992',
  '187306c89bc215a9',
];

/** The tag as the reference prints it: the little-endian octets read as one 64-bit number. */
function tagOf(key: Uint8Array, msg: Uint8Array, offset = 0, length = msg.length): string {
  const out = new Uint8Array(8);
  siphash24(sipKeyOf(key), msg, offset, length, out, 0);
  return Buffer.from(out).reverse().toString('hex');
}

/** A straightforward BigInt SipHash-2-4, the paper's pseudo-code line by line: the oracle for random inputs. */
function bigIntSipHash(key: Uint8Array, msg: Uint8Array): string {
  const M = (1n << 64n) - 1n;
  const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & M;
  const le = (b: Uint8Array, o: number, n: number) => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i]);
    return v;
  };
  const k0 = le(key, 0, 8);
  const k1 = le(key, 8, 8);
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & M; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & M; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & M; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const words = Math.floor(msg.length / 8);
  for (let w = 0; w <= words; w++) {
    const m = w < words ? le(msg, w * 8, 8) : le(msg, w * 8, msg.length - w * 8) | (BigInt(msg.length & 0xff) << 56n);
    v3 ^= m; round(); round(); v0 ^= m;
  }
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return (v0 ^ v1 ^ v2 ^ v3).toString(16).padStart(16, '0');
}

describe('SipHash-2-4', () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  const input = Uint8Array.from({ length: 64 }, (_, i) => i);

  it.each(REFERENCE.map((tag, n) => [n, tag] as const))('matches the reference vector for %i octets', (n, tag) => {
    expect(tagOf(key, input, 0, n)).toBe(tag);
  });

  it('reads the message from an offset inside a larger buffer', () => {
    const padded = new Uint8Array(80).fill(0xee);
    padded.set(input.subarray(0, 20), 7);
    expect(tagOf(key, padded, 7, 20)).toBe(REFERENCE[20]);
  });

  it('agrees with a BigInt transcription of the paper on random keys and messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 70 }), (k, m) => tagOf(k, m) === bigIntSipHash(k, m)),
      { numRuns: 300 },
    );
  });

  it('refuses a key that is not 16 octets', () => {
    expect(() => sipKeyOf(new Uint8Array(15))).toThrow('a SipHash key is 16 octets, got 15');
  });
});
