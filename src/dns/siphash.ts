// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF"), the MAC of
// interoperable DNS server cookies (RFC 9018 4.4). It runs once or twice per query that
// carries a cookie, so it works on 32-bit halves of the four 64-bit state words with plain
// integer arithmetic: no BigInt (each BigInt operation allocates) and no per-call objects.

/** A 128-bit SipHash key as four little-endian 32-bit words: k0 low, k0 high, k1 low, k1 high. */
export type SipKey = Uint32Array;

/** The key for 16 secret octets (k0 = octets 0..7, k1 = octets 8..15, both little-endian). */
export function sipKeyOf(secret: Uint8Array): SipKey {
  if (secret.length !== 16) throw new RangeError(`a SipHash key is 16 octets, got ${secret.length}`);
  const k = new Uint32Array(4);
  for (let i = 0; i < 4; i++) k[i] = readLe32(secret, i * 4);
  return k;
}

/** Little-endian 32 bits at b[o], as a signed int32 (the hash works on int32 bit patterns). */
function readLe32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

/**
 * SipHash-2-4 of msg[offset, offset + length) under `key`; the 8-octet tag is written to
 * out[at, at + 8) little-endian, as the reference implementation serialises it.
 *
 * One function with the state in locals and int32 arithmetic (`| 0`; carries compared
 * unsigned): V8 keeps them unboxed in 32-bit registers. (State in module variables, shared
 * by helper functions, boxed every value above 2^30 as a heap number: 1.3 KB of garbage
 * per hash, 2 us.) Each step of the loop absorbs one message word with
 * two SipRounds; the last step runs the four finalisation rounds instead.
 */
export function siphash24(key: SipKey, msg: Uint8Array, offset: number, length: number, out: Uint8Array, at: number): void {
  // "somepseudorandomlygeneratedbytes" xor the key (paper 2.2)
  let v0l = (key[0] ^ 0x70736575) | 0;
  let v0h = (key[1] ^ 0x736f6d65) | 0;
  let v1l = (key[2] ^ 0x6e646f6d) | 0;
  let v1h = (key[3] ^ 0x646f7261) | 0;
  let v2l = (key[0] ^ 0x6e657261) | 0;
  let v2h = (key[1] ^ 0x6c796765) | 0;
  let v3l = (key[2] ^ 0x79746573) | 0;
  let v3h = (key[3] ^ 0x74656462) | 0;
  const words = length >>> 3;
  const end = offset + length;
  let o = offset;
  for (let step = 0; step <= words + 1; step++) {
    let ml = 0;
    let mh = 0;
    let rounds = 2;
    if (step < words) {
      ml = readLe32(msg, o);
      mh = readLe32(msg, o + 4);
      o += 8;
    } else if (step === words) {
      // the last word: the remaining 0..7 octets, and the length mod 256 in the top octet
      mh = (length & 0xff) << 24;
      for (let i = 0; o + i < end; i++) {
        if (i < 4) ml |= msg[o + i] << (8 * i);
        else mh |= msg[o + i] << (8 * (i - 4));
      }
    } else {
      v2l = (v2l ^ 0xff) | 0;
      rounds = 4;
    }
    v3l = (v3l ^ ml) | 0;
    v3h = (v3h ^ mh) | 0;
    for (let r = 0; r < rounds; r++) {
      let lo: number;
      let hi: number;
      // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
      lo = (v0l + v1l) | 0;
      v0h = (v0h + v1h + (lo >>> 0 < v0l >>> 0 ? 1 : 0)) | 0;
      v0l = lo;
      hi = ((v1h << 13) | (v1l >>> 19)) | 0;
      v1l = (((v1l << 13) | (v1h >>> 19)) ^ v0l) | 0;
      v1h = (hi ^ v0h) | 0;
      hi = v0h;
      v0h = v0l;
      v0l = hi;
      // v2 += v3; v3 <<<= 16; v3 ^= v2
      lo = (v2l + v3l) | 0;
      v2h = (v2h + v3h + (lo >>> 0 < v2l >>> 0 ? 1 : 0)) | 0;
      v2l = lo;
      hi = ((v3h << 16) | (v3l >>> 16)) | 0;
      v3l = (((v3l << 16) | (v3h >>> 16)) ^ v2l) | 0;
      v3h = (hi ^ v2h) | 0;
      // v0 += v3; v3 <<<= 21; v3 ^= v0
      lo = (v0l + v3l) | 0;
      v0h = (v0h + v3h + (lo >>> 0 < v0l >>> 0 ? 1 : 0)) | 0;
      v0l = lo;
      hi = ((v3h << 21) | (v3l >>> 11)) | 0;
      v3l = (((v3l << 21) | (v3h >>> 11)) ^ v0l) | 0;
      v3h = (hi ^ v0h) | 0;
      // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
      lo = (v2l + v1l) | 0;
      v2h = (v2h + v1h + (lo >>> 0 < v2l >>> 0 ? 1 : 0)) | 0;
      v2l = lo;
      hi = ((v1h << 17) | (v1l >>> 15)) | 0;
      v1l = (((v1l << 17) | (v1h >>> 15)) ^ v2l) | 0;
      v1h = (hi ^ v2h) | 0;
      hi = v2h;
      v2h = v2l;
      v2l = hi;
    }
    v0l = (v0l ^ ml) | 0;
    v0h = (v0h ^ mh) | 0;
  }
  const rl = (v0l ^ v1l ^ v2l ^ v3l) | 0;
  const rh = (v0h ^ v1h ^ v2h ^ v3h) | 0;
  out[at] = rl & 0xff;
  out[at + 1] = (rl >>> 8) & 0xff;
  out[at + 2] = (rl >>> 16) & 0xff;
  out[at + 3] = rl >>> 24;
  out[at + 4] = rh & 0xff;
  out[at + 5] = (rh >>> 8) & 0xff;
  out[at + 6] = (rh >>> 16) & 0xff;
  out[at + 7] = rh >>> 24;
}
