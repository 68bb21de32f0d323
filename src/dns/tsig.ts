import { CLASS_ANY, TYPE } from './wire.js';

// TSIG (RFC 8945) as a server without keys sees it: a signed request cannot be verified, so
// it gets NOTAUTH with the TSIG error BADKEY in an unsigned TSIG record (5.2.2: the key is
// unknown; 5.3.2: the error reply is unsigned, MAC size 0), never an answer. Knot and BIND
// answer the same way for a key they do not have.

/** Where a request's TSIG record lies in the message: fields of ParsedQuery, which readTsig fills. */
export interface TsigPosition {
  /** Offset of the TSIG record's owner name; 0 without TSIG. */
  tsigOwner: number;
  tsigOwnerLength: number;
  tsigAlgorithm: number;
  tsigAlgorithmLength: number;
  /** Offset of Time Signed (6 octets), followed by Fudge (2). */
  tsigTime: number;
  tsigOriginalId: number;
}

/** TSIG error: the key is not known to the server (RFC 8945 5.2.2). */
export const TSIG_BADKEY = 17;
/** Octets of the TSIG rdata after the algorithm name in the reply: time signed 6, fudge 2, MAC size 2, original id 2, error 2, other length 2. */
const REPLY_FIXED = 16;

/**
 * Uncompressed length of the name at msg[offset] (compression pointers followed, only
 * backwards, so every walk ends), or -1 when it does not fit msg[0, end) or 255 octets.
 */
export function expandedNameLength(msg: Uint8Array, end: number, offset: number): number {
  let o = offset;
  let total = 0;
  for (let labels = 0; labels < 128; labels++) {
    if (o >= end) return -1;
    const len = msg[o];
    if ((len & 0xc0) === 0xc0) {
      if (o + 1 >= end) return -1;
      const target = ((len & 0x3f) << 8) | msg[o + 1];
      if (target >= o) return -1;
      o = target;
      continue;
    }
    if (len & 0xc0) return -1;
    total += len + 1;
    if (total > 255) return -1;
    if (len === 0) return total;
    o += len + 1;
  }
  return -1;
}

/** Copies a name expandedNameLength accepted into out[at], uncompressed; returns the offset after it. */
function copyExpandedName(msg: Uint8Array, offset: number, out: Uint8Array, at: number): number {
  let o = offset;
  let w = at;
  for (;;) {
    const len = msg[o];
    if ((len & 0xc0) === 0xc0) {
      o = ((len & 0x3f) << 8) | msg[o + 1];
      continue;
    }
    for (let i = 0; i <= len; i++) out[w + i] = msg[o + i];
    w += len + 1;
    if (len === 0) return w;
    o += len + 1;
  }
}

/**
 * Records the TSIG record whose owner name starts at `owner` and whose rdata is
 * msg[rdStart, rdEnd) in `q`. False when it cannot be interpreted (FORMERR, RFC 8945 5.2).
 */
export function readTsig(msg: Uint8Array, end: number, q: TsigPosition, owner: number, rdStart: number, rdEnd: number): boolean {
  const ownerLength = expandedNameLength(msg, end, owner);
  const algorithmLength = expandedNameLength(msg, rdEnd, rdStart);
  if (ownerLength < 0 || algorithmLength < 0) return false;
  // the algorithm name is never compressed in practice; its wire end is found by skipping labels
  let o = rdStart;
  while (o < rdEnd && msg[o] !== 0 && (msg[o] & 0xc0) === 0) o += msg[o] + 1;
  const fixed = o < rdEnd && (msg[o] & 0xc0) === 0xc0 ? o + 2 : o + 1;
  // time signed 6, fudge 2, MAC size 2, MAC, original id 2, error 2, other length 2, other data
  if (fixed + 10 > rdEnd) return false;
  const macSize = (msg[fixed + 8] << 8) | msg[fixed + 9];
  const idAt = fixed + 10 + macSize;
  if (idAt + 6 > rdEnd) return false;
  const otherLength = (msg[idAt + 4] << 8) | msg[idAt + 5];
  if (idAt + 6 + otherLength !== rdEnd) return false;
  q.tsigOwner = owner;
  q.tsigOwnerLength = ownerLength;
  q.tsigAlgorithm = rdStart;
  q.tsigAlgorithmLength = algorithmLength;
  q.tsigTime = fixed;
  q.tsigOriginalId = idAt;
  return true;
}

/** Octets of the unsigned TSIG record a BADKEY reply to `q` carries (0 without TSIG). */
export function tsigErrorLength(q: TsigPosition): number {
  return q.tsigOwner === 0 ? 0 : q.tsigOwnerLength + 10 + q.tsigAlgorithmLength + REPLY_FIXED;
}

/**
 * Writes the unsigned TSIG record of a BADKEY reply at out[at]: the request's key name,
 * algorithm, time signed, fudge and original id, MAC size 0, no other data (RFC 8945 5.3.2).
 * Returns the offset after it.
 */
export function writeTsigError(out: Uint8Array, at: number, msg: Uint8Array, q: TsigPosition): number {
  let o = copyExpandedName(msg, q.tsigOwner, out, at);
  out[o] = TYPE.TSIG >>> 8;
  out[o + 1] = TYPE.TSIG & 0xff;
  out[o + 2] = 0;
  out[o + 3] = CLASS_ANY;
  out[o + 4] = 0; // TTL 0 (RFC 8945 4.2)
  out[o + 5] = 0;
  out[o + 6] = 0;
  out[o + 7] = 0;
  const rdlength = q.tsigAlgorithmLength + REPLY_FIXED;
  out[o + 8] = rdlength >>> 8;
  out[o + 9] = rdlength & 0xff;
  o = copyExpandedName(msg, q.tsigAlgorithm, out, o + 10);
  for (let i = 0; i < 8; i++) out[o + i] = msg[q.tsigTime + i]; // time signed and fudge, as received
  out[o + 8] = 0; // MAC size 0: unsigned
  out[o + 9] = 0;
  out[o + 10] = msg[q.tsigOriginalId];
  out[o + 11] = msg[q.tsigOriginalId + 1];
  out[o + 12] = TSIG_BADKEY >>> 8;
  out[o + 13] = TSIG_BADKEY & 0xff;
  out[o + 14] = 0; // other length 0
  out[o + 15] = 0;
  return o + REPLY_FIXED;
}
