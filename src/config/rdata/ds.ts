import { FieldError, need, type RdataCodec } from './codec.js';
import { parseHex, parseUint } from './fields.js';

// DS (RFC 4034 5): key tag, algorithm, digest type, digest in hex. A DS in a parent zone is
// what resolvers validate the child's DNSKEY against, so a wrong one takes the child's
// DNSSEC down: the digest length is checked for the digest types with a fixed size.

/** DNSSEC algorithm mnemonics (RFC 4034 A.1 and the IANA registry). */
const ALGORITHMS: Readonly<Record<string, number>> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, RSASHA256: 8,
  RSASHA512: 10, 'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};

/** Digest octets per digest type: SHA-1 (RFC 4034), SHA-256 (RFC 4509), GOST R 34.11-94 (RFC 5933), SHA-384 (RFC 6605). */
const DIGEST_LENGTHS: ReadonlyMap<number, [string, number]> = new Map([
  [1, ['SHA-1', 20]],
  [2, ['SHA-256', 32]],
  [3, ['GOST R 34.11-94', 32]],
  [4, ['SHA-384', 48]],
]);

function algorithm(text: string): number {
  const named = ALGORITHMS[text.toUpperCase()];
  const n = named ?? need(parseUint(text, 255, 'the algorithm'));
  if (n === 0) throw new FieldError('algorithm 0 is reserved; use the algorithm number of the child DNSKEY (e.g. 13 for ECDSAP256SHA256)');
  return n;
}

/** Why `digest` does not fit `digestType`, or undefined. */
function digestProblem(digestType: number, digest: Buffer): string | undefined {
  if (digestType === 0) return 'digest type 0 is reserved; use 2 (SHA-256) or 4 (SHA-384)';
  if (digest.length === 0) return 'the digest is empty';
  const known = DIGEST_LENGTHS.get(digestType);
  if (known && digest.length !== known[1]) return `a digest of type ${digestType} (${known[0]}) has ${known[1]} octets, got ${digest.length}`;
  return undefined;
}

export const DS: RdataCodec<'DS'> = {
  parse(tokens) {
    if (tokens.length < 4) throw new FieldError('expected "KEYTAG ALGORITHM DIGESTTYPE DIGEST" like "60485 13 2 D4B7...", got too few fields');
    const keyTag = need(parseUint(tokens[0].text, 65535, 'the key tag'));
    const alg = algorithm(tokens[1].text);
    const digestType = need(parseUint(tokens[2].text, 255, 'the digest type'));
    const digest = need(parseHex(tokens.slice(3), 'the digest'));
    const problem = digestProblem(digestType, digest);
    if (problem) throw new FieldError(problem);
    return { type: 'DS', keyTag, algorithm: alg, digestType, digest };
  },
  present: (d) => `${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest.toString('hex').toUpperCase()}`,
  encode: (d, w) => void w.u16(d.keyTag).u8(d.algorithm).u8(d.digestType).bytes(d.digest),
  decode: (r) => ({ type: 'DS', keyTag: r.u16('the key tag'), algorithm: r.u8('the algorithm'), digestType: r.u8('the digest type'), digest: r.rest() }),
};
