import type { ChainPrefix, PrebuiltAnswer } from './prebuilt.js';
import type { ParsedQuery } from './query-parser.js';
import { copyBytes, sectionsLength, writeSections } from './section-writer.js';
import { SERVER_COOKIE_LENGTH } from './server-cookies.js';
import { tsigErrorLength, writeTsigError } from './tsig.js';
import { HEADER_SIZE, OPT_COOKIE, OPT_ECS, OPT_NSID, RCODE, TYPE } from './wire.js';

// Assembles a response from the query's own header and question (so the client's letter
// case and id come back untouched) and the prebuilt sections of the snapshot.

const OPT_FIXED = 11; // root name, type, class, ttl, rdlength

/** What a reply's OPT record carries besides the query's echo: one object per handler, refilled per query. */
export interface ReplyEdns {
  /** Our UDP payload size, announced in the OPT (RFC 6891 6.2.5). */
  maxUdpPayload: number;
  /** The NSID payload to send (RFC 5001), or undefined. */
  nsid: Uint8Array | undefined;
  /** The server cookie (16 octets) to send after the query's client cookie (RFC 7873 4), or undefined. */
  serverCookie: Uint8Array | undefined;
}

/** Big-endian 16 bits at `at`: Buffer#writeUInt16BE's range checks showed in the profile. */
function put16(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 8;
  out[at + 1] = value & 0xff;
}

function optSize(q: ParsedQuery, edns: ReplyEdns): number {
  if (!q.hasOpt) return 0;
  let size = OPT_FIXED;
  if (q.ecsFamily !== 0) size += 8 + q.ecsAddressLength;
  if (edns.nsid !== undefined) size += 4 + edns.nsid.length;
  if (edns.serverCookie !== undefined) size += 4 + 8 + SERVER_COOKIE_LENGTH;
  return size;
}

/**
 * Writes the OPT record (RFC 6891 6.1.2): the ECS option echoed with its scope set (RFC 7871
 * 6), then NSID (RFC 5001 2.3) and COOKIE (the client cookie and ours, RFC 7873 4) when set.
 */
function writeOpt(out: Buffer, o: number, msg: Buffer, q: ParsedQuery, rcode: number, edns: ReplyEdns, scope: number): number {
  out[o] = 0;
  put16(out, o + 1, TYPE.OPT);
  put16(out, o + 3, edns.maxUdpPayload);
  out[o + 5] = (rcode >> 4) & 0xff; // extended rcode: the high 8 of 12 bits
  out[o + 6] = 0; // version 0
  out[o + 7] = q.dnssecOk ? 0x80 : 0;
  out[o + 8] = 0;
  let w = o + OPT_FIXED;
  if (q.ecsFamily !== 0) {
    const len = 4 + q.ecsAddressLength;
    put16(out, w, OPT_ECS);
    put16(out, w + 2, len);
    put16(out, w + 4, q.ecsFamily);
    out[w + 6] = q.ecsSourcePrefix;
    out[w + 7] = scope;
    w += 8 + copyBytes(msg, q.ecsAddressOffset, q.ecsAddressOffset + q.ecsAddressLength, out, w + 8);
  }
  const nsid = edns.nsid;
  if (nsid !== undefined) {
    put16(out, w, OPT_NSID);
    put16(out, w + 2, nsid.length);
    w += 4 + copyBytes(nsid, 0, nsid.length, out, w + 4);
  }
  const cookie = edns.serverCookie;
  if (cookie !== undefined) {
    put16(out, w, OPT_COOKIE);
    put16(out, w + 2, 8 + SERVER_COOKIE_LENGTH);
    copyBytes(msg, q.cookieOffset, q.cookieOffset + 8, out, w + 4);
    w += 12 + copyBytes(cookie, 0, SERVER_COOKIE_LENGTH, out, w + 12);
  }
  put16(out, o + 9, w - o - OPT_FIXED);
  return w;
}

// Counts as four arguments, not an array: an array literal per response was garbage.
function writeHeader(out: Buffer, msg: Buffer, q: ParsedQuery, aa: boolean, tc: boolean, rcode: number, qd: number, an: number, ns: number, ar: number): void {
  out[0] = msg[0];
  out[1] = msg[1];
  // QR, the query's opcode, AA, TC, RD copied; RA off (we do not recurse); CD copied.
  out[2] = 0x80 | (q.flags2 & 0x78) | (aa ? 0x04 : 0) | (tc ? 0x02 : 0) | (q.flags2 & 0x01);
  out[3] = (q.flags3 & 0x10) | (rcode & 0x0f);
  // the counts as bytes, not put16 calls: each inlined call counts against the writer's inlining budget
  out[4] = qd >>> 8;
  out[5] = qd & 0xff;
  out[6] = an >>> 8;
  out[7] = an & 0xff;
  out[8] = ns >>> 8;
  out[9] = ns & 0xff;
  out[10] = ar >>> 8;
  out[11] = ar & 0xff;
}

/**
 * A full response. `limit` is the largest message the transport allows (UDP: the client's
 * payload size capped by ours; TCP: 65535); when the answer does not fit, the response is
 * truncated to header, question and OPT with TC set (RFC 2181 9, RFC 6891 7). `prefix`: the
 * static CNAME records of a chain written before a per-client answer.
 */
export function writeAnswer(msg: Buffer, q: ParsedQuery, answer: PrebuiltAnswer, scope: number, limit: number, edns: ReplyEdns, prefix?: ChainPrefix): Buffer {
  const opt = optSize(q, edns);
  const full = q.questionEnd + sectionsLength(answer, prefix) + opt;
  const tc = full > limit;
  const out = Buffer.allocUnsafe(tc ? q.questionEnd + opt : full);
  writeAnswerAt(out, msg, q, answer, scope, tc, edns, prefix);
  return out;
}

/** writeAnswer into `out` from offset 0 (the batch path's reply slot); returns the length, or -1 when `out` is too small. */
export function writeAnswerInto(out: Buffer, msg: Buffer, q: ParsedQuery, answer: PrebuiltAnswer, scope: number, limit: number, edns: ReplyEdns, prefix?: ChainPrefix): number {
  // the lengths once per query (each is a few inlined calls: the writer's inlining budget is small)
  const opt = optSize(q, edns);
  const full = q.questionEnd + sectionsLength(answer, prefix) + opt;
  const tc = full > limit;
  const length = tc ? q.questionEnd + opt : full;
  if (length > out.length) return -1;
  writeAnswerAt(out, msg, q, answer, scope, tc, edns, prefix);
  return length;
}

/** The response into `out`: the whole answer, or with `tc` only header, question and OPT. */
function writeAnswerAt(out: Buffer, msg: Buffer, q: ParsedQuery, answer: PrebuiltAnswer, scope: number, tc: boolean, edns: ReplyEdns, prefix: ChainPrefix | undefined): void {
  const opt = q.hasOpt ? 1 : 0;
  // one call site of writeHeader, so it is inlined once
  const ancount = tc ? 0 : prefix === undefined ? answer.ancount : prefix.count + answer.ancount;
  writeHeader(out, msg, q, answer.aa, tc, answer.rcode, 1, ancount, tc ? 0 : answer.nscount, tc ? opt : answer.arcount + opt);
  copyBytes(msg, HEADER_SIZE, q.questionEnd, out, HEADER_SIZE);
  let o = q.questionEnd;
  if (!tc) o = writeSections(out, o, q, answer, prefix);
  if (opt !== 0) writeOpt(out, o, msg, q, answer.rcode, edns, scope);
}

/**
 * An error response: header, the question when it was readable, OPT when the query had one,
 * and for NOTAUTH to a signed request the unsigned TSIG record with BADKEY (tsig.ts).
 */
export function writeError(msg: Buffer, q: ParsedQuery, rcode: number, edns: ReplyEdns, aa = false): Buffer {
  const out = Buffer.allocUnsafe(errorLength(q, rcode, edns));
  writeErrorInto(out, msg, q, rcode, edns, aa);
  return out;
}

function errorLength(q: ParsedQuery, rcode: number, edns: ReplyEdns): number {
  return (q.questionEnd > 0 ? q.questionEnd : HEADER_SIZE) + optSize(q, edns) + (rcode === RCODE.NOTAUTH ? tsigErrorLength(q) : 0);
}

/** writeError into `out` from offset 0; returns the length, or -1 when `out` is too small. */
export function writeErrorInto(out: Buffer, msg: Buffer, q: ParsedQuery, rcode: number, edns: ReplyEdns, aa = false): number {
  const length = errorLength(q, rcode, edns);
  if (length > out.length) return -1;
  const question = q.questionEnd;
  const tsig = rcode === RCODE.NOTAUTH && q.tsigOwner !== 0;
  writeHeader(out, msg, q, aa, false, rcode, question > 0 ? 1 : 0, 0, 0, (q.hasOpt ? 1 : 0) + (tsig ? 1 : 0));
  if (question > 0) copyBytes(msg, HEADER_SIZE, question, out, HEADER_SIZE);
  let o = question > 0 ? question : HEADER_SIZE;
  if (q.hasOpt) o = writeOpt(out, o, msg, q, rcode, edns, 0);
  // the TSIG record comes last (RFC 8945 5.1)
  if (tsig) writeTsigError(out, o, msg, q);
  return length;
}
