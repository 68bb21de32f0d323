import type { ChainPrefix, PrebuiltAnswer } from './prebuilt.js';
import type { ParsedQuery } from './query-parser.js';
import { copyBytes, sectionsLength, writeSections } from './section-writer.js';
import { HEADER_SIZE, OPT_ECS, TYPE } from './wire.js';

// Assembles a response from the query's own header and question (so the client's letter
// case and id come back untouched) and the prebuilt sections of the snapshot.

const OPT_FIXED = 11; // root name, type, class, ttl, rdlength

/** Big-endian 16 bits at `at`: Buffer#writeUInt16BE's range checks showed in the profile. */
function put16(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 8;
  out[at + 1] = value & 0xff;
}

function optSize(q: ParsedQuery): number {
  return q.hasOpt ? OPT_FIXED + (q.ecsFamily !== 0 ? 8 + q.ecsAddressLength : 0) : 0;
}

/** Writes the OPT record (RFC 6891 6.1.2) with the ECS option echoed and its scope set (RFC 7871 6). */
function writeOpt(out: Buffer, o: number, msg: Buffer, q: ParsedQuery, rcode: number, maxUdpPayload: number, scope: number): number {
  out[o] = 0;
  put16(out, o + 1, TYPE.OPT);
  put16(out, o + 3, maxUdpPayload);
  out[o + 5] = (rcode >> 4) & 0xff; // extended rcode: the high 8 of 12 bits
  out[o + 6] = 0; // version 0
  out[o + 7] = q.dnssecOk ? 0x80 : 0;
  out[o + 8] = 0;
  if (q.ecsFamily === 0) {
    put16(out, o + 9, 0);
    return o + OPT_FIXED;
  }
  const len = 4 + q.ecsAddressLength;
  put16(out, o + 9, 4 + len);
  put16(out, o + 11, OPT_ECS);
  put16(out, o + 13, len);
  put16(out, o + 15, q.ecsFamily);
  out[o + 17] = q.ecsSourcePrefix;
  out[o + 18] = scope;
  copyBytes(msg, q.ecsAddressOffset, q.ecsAddressOffset + q.ecsAddressLength, out, o + 19);
  return o + 19 + q.ecsAddressLength;
}

// Counts as four arguments, not an array: an array literal per response was garbage.
function writeHeader(out: Buffer, msg: Buffer, q: ParsedQuery, aa: boolean, tc: boolean, rcode: number, qd: number, an: number, ns: number, ar: number): void {
  out[0] = msg[0];
  out[1] = msg[1];
  // QR, the query's opcode, AA, TC, RD copied; RA off (we do not recurse); CD copied.
  out[2] = 0x80 | (q.flags2 & 0x78) | (aa ? 0x04 : 0) | (tc ? 0x02 : 0) | (q.flags2 & 0x01);
  out[3] = (q.flags3 & 0x10) | (rcode & 0x0f);
  put16(out, 4, qd);
  put16(out, 6, an);
  put16(out, 8, ns);
  put16(out, 10, ar);
}

/** Bytes of the whole answer: header, question, the chain prefix, the prebuilt sections and OPT. */
function fullLength(q: ParsedQuery, answer: PrebuiltAnswer, prefix: ChainPrefix | undefined): number {
  return q.questionEnd + sectionsLength(answer, prefix) + optSize(q);
}

/** Bytes of the response writeAnswer builds: the full answer, or header, question and OPT when it does not fit `limit`. */
function answerLength(q: ParsedQuery, answer: PrebuiltAnswer, limit: number, prefix: ChainPrefix | undefined): number {
  const full = fullLength(q, answer, prefix);
  return full > limit ? q.questionEnd + optSize(q) : full;
}

/**
 * A full response. `limit` is the largest message the transport allows (UDP: the client's
 * payload size capped by ours; TCP: 65535); when the answer does not fit, the response is
 * truncated to header, question and OPT with TC set (RFC 2181 9, RFC 6891 7). `prefix`: the
 * static CNAME records of a chain written before a per-client answer.
 */
export function writeAnswer(msg: Buffer, q: ParsedQuery, answer: PrebuiltAnswer, scope: number, limit: number, maxUdpPayload: number, prefix?: ChainPrefix): Buffer {
  const out = Buffer.allocUnsafe(answerLength(q, answer, limit, prefix));
  writeAnswerInto(out, msg, q, answer, scope, limit, maxUdpPayload, prefix);
  return out;
}

/** writeAnswer into `out` from offset 0 (the batch path's reply slot); returns the length, or -1 when `out` is too small. */
export function writeAnswerInto(out: Buffer, msg: Buffer, q: ParsedQuery, answer: PrebuiltAnswer, scope: number, limit: number, maxUdpPayload: number, prefix?: ChainPrefix): number {
  const length = answerLength(q, answer, limit, prefix);
  if (length > out.length) return -1;
  const tc = fullLength(q, answer, prefix) > limit;
  const arcount = answer.arcount + (q.hasOpt ? 1 : 0);
  const ancount = prefix === undefined ? answer.ancount : prefix.count + answer.ancount;
  if (tc) writeHeader(out, msg, q, answer.aa, true, answer.rcode, 1, 0, 0, q.hasOpt ? 1 : 0);
  else writeHeader(out, msg, q, answer.aa, false, answer.rcode, 1, ancount, answer.nscount, arcount);
  copyBytes(msg, HEADER_SIZE, q.questionEnd, out, HEADER_SIZE);
  let o = q.questionEnd;
  if (!tc) o = writeSections(out, o, q, answer, prefix);
  if (q.hasOpt) o = writeOpt(out, o, msg, q, answer.rcode, maxUdpPayload, scope);
  return length;
}

/** An error response: header, the question when it was readable, and OPT when the query had one. */
export function writeError(msg: Buffer, q: ParsedQuery, rcode: number, maxUdpPayload: number, aa = false): Buffer {
  const out = Buffer.allocUnsafe(errorLength(q));
  writeErrorInto(out, msg, q, rcode, maxUdpPayload, aa);
  return out;
}

function errorLength(q: ParsedQuery): number {
  return (q.questionEnd > 0 ? q.questionEnd : HEADER_SIZE) + optSize(q);
}

/** writeError into `out` from offset 0; returns the length, or -1 when `out` is too small. */
export function writeErrorInto(out: Buffer, msg: Buffer, q: ParsedQuery, rcode: number, maxUdpPayload: number, aa = false): number {
  const length = errorLength(q);
  if (length > out.length) return -1;
  const question = q.questionEnd;
  writeHeader(out, msg, q, aa, false, rcode, question > 0 ? 1 : 0, 0, 0, q.hasOpt ? 1 : 0);
  if (question > 0) copyBytes(msg, HEADER_SIZE, question, out, HEADER_SIZE);
  if (q.hasOpt) writeOpt(out, question > 0 ? question : HEADER_SIZE, msg, q, rcode, maxUdpPayload, 0);
  return length;
}
