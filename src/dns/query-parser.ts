import { CLASS_ANY, CLASS_CH, CLASS_IN, HEADER_SIZE, OPT_COOKIE, OPT_ECS, OPT_NSID, RCODE, TYPE } from './wire.js';
import { nameKeyOf } from './name-keys.js';
import { readTsig, type TsigPosition } from './tsig.js';

// Hand-written decoder for the part of a query the hot path needs: header, the one
// question, and the OPT record with its ECS option. Measured need: a full dns2 parse per
// query caps a Node server at about 67k queries/s on this machine against about 233k for
// this approach (../shared/bench/RESULTS.md); everything else about the packet is ignored.

/** What the decoder concluded about a packet. */
export const Verdict = {
  /** Well-formed query; answer it. */
  Ok: 0,
  /** Not worth a reply (too short for a header, or a response): drop silently. */
  Drop: 1,
  /** Answer with `rcode` and, when `questionEnd` > 0, the question echoed. */
  Error: 2,
  /** A QUERY with no question and a COOKIE option: asks for a server cookie (RFC 7873 5.4). */
  CookieOnly: 3,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/**
 * The decoded query. One instance is reused for every packet (the handler is synchronous),
 * so the hot path allocates nothing here but the name key.
 */
export class ParsedQuery implements TsigPosition {
  verdict: Verdict = Verdict.Drop as Verdict;
  rcode = 0;
  id = 0;
  /** Byte 2 of the header: QR, opcode, AA, TC, RD. */
  flags2 = 0;
  /** Byte 3 of the header: RA, Z, AD, CD, RCODE. */
  flags3 = 0;
  /** Offset just past the question (0 when the question could not be read). */
  questionEnd = 0;
  /** Offset just past the question name. */
  qnameEnd = 0;
  qtype = 0;
  qclass = 0;
  /** Lower-case wire form of the question name, as latin1 text: the snapshot's lookup key. */
  nameKey = '';
  hasOpt = false;
  /** Requestor's UDP payload size from OPT (RFC 6891 6.2.3); 512 without OPT. */
  udpSize = 512;
  /** The DO bit, echoed in the OPT of the response (RFC 3225). */
  dnssecOk = false;
  /** 0 without ECS, else 1 (IPv4) or 2 (IPv6). */
  ecsFamily = 0;
  ecsSourcePrefix = 0;
  /** Offset and length of the ECS address bytes inside the packet. */
  ecsAddressOffset = 0;
  ecsAddressLength = 0;
  /** The OPT record was read whole and valid, so its NSID and COOKIE requests are answered. */
  optionsOk = false;
  /** The OPT carried an empty NSID option (RFC 5001 2.1). */
  nsid = false;
  /** Offset and length (8, or 16..40) of the COOKIE option's data; length 0 without one (RFC 7873 4). */
  cookieOffset = 0;
  cookieLength = 0;
  /** Offset of the TSIG record's owner name; 0 without TSIG. The other tsig fields are what an unsigned error reply copies (tsig.ts). */
  tsigOwner = 0;
  tsigOwnerLength = 0;
  tsigAlgorithm = 0;
  tsigAlgorithmLength = 0;
  /** Offset of Time Signed (6 octets), followed by Fudge (2). */
  tsigTime = 0;
  tsigOriginalId = 0;
}

const foldBuffer = Buffer.alloc(256);

/** Fails the query with `rcode`; keeps the question when it was read. */
function fail(q: ParsedQuery, rcode: number): ParsedQuery {
  q.verdict = Verdict.Error;
  q.rcode = rcode;
  if (rcode !== RCODE.NOTAUTH) q.tsigOwner = 0;
  return q;
}

/**
 * Fails a message that cannot be read (or whose OPT asks for a version we lack): only the
 * OPT itself is echoed, its NSID and COOKIE requests are not answered, and no TSIG is.
 */
function failUnread(q: ParsedQuery, rcode: number): ParsedQuery {
  q.optionsOk = false;
  return fail(q, rcode);
}

/** Skips a (possibly compressed) name in a resource record; returns the offset after it or -1. */
function skipName(msg: Buffer, end: number, offset: number): number {
  let o = offset;
  for (let labels = 0; labels < 128; labels++) {
    if (o >= end) return -1;
    const len = msg[o];
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return o + 2 <= end ? o + 2 : -1;
    if (len & 0xc0) return -1;
    o += len + 1;
  }
  return -1;
}

/**
 * Reads the OPT record's fields (RFC 6891 6.1.2) and its ECS option (RFC 7871 6).
 * Returns an rcode, or -1 when fine.
 */
function readOpt(msg: Buffer, q: ParsedQuery, rr: number, rdStart: number, rdEnd: number): number {
  q.hasOpt = true;
  q.udpSize = Math.max(512, (msg[rr + 3] << 8) | msg[rr + 4]);
  const version = msg[rr + 6];
  q.dnssecOk = (msg[rr + 7] & 0x80) !== 0;
  if (version !== 0) return RCODE.BADVERS;
  let o = rdStart;
  while (o < rdEnd) {
    if (o + 4 > rdEnd) return RCODE.FORMERR;
    const code = (msg[o] << 8) | msg[o + 1];
    const len = (msg[o + 2] << 8) | msg[o + 3];
    const data = o + 4;
    if (data + len > rdEnd) return RCODE.FORMERR;
    if (code === OPT_ECS) {
      if (q.ecsFamily !== 0 || len < 4) return RCODE.FORMERR;
      const family = (msg[data] << 8) | msg[data + 1];
      const source = msg[data + 2];
      const addrLen = len - 4;
      const maxBits = family === 1 ? 32 : family === 2 ? 128 : -1;
      // RFC 7871 6: address truncated to ceil(source/8) octets; extra bits must be zero.
      if (maxBits < 0 || source > maxBits || addrLen !== (source + 7) >> 3) return RCODE.FORMERR;
      if (addrLen > 0 && source % 8 !== 0 && (msg[data + 4 + addrLen - 1] & (0xff >> (source % 8))) !== 0) return RCODE.FORMERR;
      q.ecsFamily = family;
      q.ecsSourcePrefix = source;
      q.ecsAddressOffset = data + 4;
      q.ecsAddressLength = addrLen;
    } else if (code === OPT_NSID) {
      // the request's payload is empty (RFC 5001 2.1); one with data is not a request we answer
      if (len === 0) q.nsid = true;
    } else if (code === OPT_COOKIE) {
      // RFC 7873 5.2.2: 8 octets (client cookie) or 16..40 (with a server cookie); a second COOKIE is malformed too
      if (q.cookieLength !== 0 || !(len === 8 || (len >= 16 && len <= 40))) return RCODE.FORMERR;
      q.cookieOffset = data;
      q.cookieLength = len;
    }
    // Unknown options are ignored (RFC 6891 6.1.2).
    o = data + len;
  }
  q.optionsOk = true;
  return -1;
}

/**
 * Reads the one question at the header's end into `q` (plain labels only: a pointer cannot
 * point backwards from here); returns the offset after it, or -1 when malformed.
 */
function readQuestion(msg: Buffer, len: number, q: ParsedQuery): number {
  let o = HEADER_SIZE;
  let nameLen = 0;
  for (;;) {
    if (o >= len) return -1;
    const l = msg[o];
    if (l === 0) break;
    if (l > 63) return -1;
    nameLen += l + 1;
    if (nameLen > 254) return -1;
    o += l + 1;
  }
  const qnameEnd = o + 1;
  if (qnameEnd + 4 > len) return -1;
  q.qnameEnd = qnameEnd;
  q.qtype = (msg[qnameEnd] << 8) | msg[qnameEnd + 1];
  q.qclass = (msg[qnameEnd + 2] << 8) | msg[qnameEnd + 3];
  q.questionEnd = qnameEnd + 4;
  return q.questionEnd;
}

/** The snapshot's lookup key of the question name ending at `qnameEnd`: lower-case ASCII only (RFC 4343); other octets are compared as they are. */
function foldedKey(msg: Buffer, qnameEnd: number): string {
  const keyLen = qnameEnd - HEADER_SIZE;
  let hash = keyLen;
  for (let i = 0; i < keyLen; i++) {
    const c = msg[HEADER_SIZE + i];
    const folded = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    foldBuffer[i] = folded;
    hash = (Math.imul(hash, 31) + folded) | 0;
  }
  return nameKeyOf(foldBuffer, keyLen, hash ^ (hash >>> 16));
}

/**
 * Decodes the message msg[0, length) into `q` (reset first). Never throws on any input.
 * `length` lets the batch path pass a fixed receive slot without a view per packet.
 */
export function parseQuery(msg: Buffer, q: ParsedQuery, length = msg.length): ParsedQuery {
  q.verdict = Verdict.Drop;
  q.rcode = 0;
  q.questionEnd = 0;
  q.qnameEnd = 0;
  q.qtype = 0;
  q.qclass = 0;
  q.nameKey = '';
  q.hasOpt = false;
  q.udpSize = 512;
  q.dnssecOk = false;
  q.ecsFamily = 0;
  q.ecsSourcePrefix = 0;
  q.ecsAddressOffset = 0;
  q.ecsAddressLength = 0;
  q.optionsOk = false;
  q.nsid = false;
  q.cookieOffset = 0;
  q.cookieLength = 0;
  q.tsigOwner = 0;

  const len = length < msg.length ? length : msg.length;
  if (len < HEADER_SIZE) return q;
  q.id = (msg[0] << 8) | msg[1];
  q.flags2 = msg[2];
  q.flags3 = msg[3];
  if (q.flags2 & 0x80) return q; // a response: answering it could start a loop
  const opcode = (q.flags2 >> 3) & 0x0f;
  const qdcount = (msg[4] << 8) | msg[5];
  const ancount = (msg[6] << 8) | msg[7];
  const nscount = (msg[8] << 8) | msg[9];
  const arcount = (msg[10] << 8) | msg[11];

  // A message that is not a QUERY is still read to its end, so that NOTIMP carries the OPT
  // of the request (RFC 6891 6.1.1); whatever is wrong with it, the answer stays NOTIMP.
  const bad = opcode === 0 ? RCODE.FORMERR : RCODE.NOTIMP;
  let p = HEADER_SIZE;
  if (qdcount === 1) {
    p = readQuestion(msg, len, q);
    if (p < 0) return failUnread(q, RCODE.FORMERR);
    if (opcode === 0) q.nameKey = foldedKey(msg, q.qnameEnd);
  } else {
    for (let i = 0; i < qdcount; i++) {
      p = skipName(msg, len, p);
      if (p < 0 || p + 4 > len) return failUnread(q, bad);
      p += 4;
    }
  }

  // Walk answer and authority (normally empty) to reach the additional section's OPT and TSIG.
  const total = ancount + nscount + arcount;
  for (let i = 0; i < total; i++) {
    const nameEnd = skipName(msg, len, p);
    if (nameEnd < 0 || nameEnd + 10 > len) return failUnread(q, bad);
    const type = (msg[nameEnd] << 8) | msg[nameEnd + 1];
    const rdlen = (msg[nameEnd + 8] << 8) | msg[nameEnd + 9];
    const rdStart = nameEnd + 10;
    const rdEnd = rdStart + rdlen;
    if (rdEnd > len) return failUnread(q, bad);
    if (type === TYPE.OPT) {
      // RFC 6891 6.1.1: one OPT, in the additional section, owned by the root.
      if (i < ancount + nscount || q.hasOpt || nameEnd !== p + 1 || msg[p] !== 0) return failUnread(q, bad);
      const rcode = readOpt(msg, q, p, rdStart, rdEnd);
      if (rcode >= 0) return failUnread(q, opcode === 0 ? rcode : RCODE.NOTIMP);
    } else if (type === TYPE.TSIG) {
      // RFC 8945 5.1: the last record of the additional section, or the message is FORMERR
      if (i !== total - 1 || i < ancount + nscount || !readTsig(msg, len, q, p, rdStart, rdEnd)) return failUnread(q, bad);
    }
    p = rdEnd;
  }
  if (p !== len) return failUnread(q, bad); // trailing garbage or counts that lie

  // A signed request is refused before it is looked at (RFC 8945 5.2.2: no key is known here).
  if (q.tsigOwner !== 0) return fail(q, RCODE.NOTAUTH);
  if (opcode !== 0) return fail(q, RCODE.NOTIMP);
  if (qdcount !== 1) {
    if (qdcount === 0 && q.cookieLength > 0) q.verdict = Verdict.CookieOnly;
    else failUnread(q, RCODE.FORMERR);
    return q;
  }
  // CHAOS goes on to the handler, which answers id.server, hostname.bind and version.bind.
  if (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY && q.qclass !== CLASS_CH) return fail(q, RCODE.REFUSED);
  // Zone transfers are not offered; MAILA/MAILB are obsolete meta types (RFC 2505, RFC 883).
  if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) return fail(q, RCODE.REFUSED);
  if (q.qtype === 0xfd || q.qtype === 0xfe) return fail(q, RCODE.NOTIMP);
  q.verdict = Verdict.Ok;
  return q;
}

