// An independent, strict reader of DNS responses for hostile-input tests: it checks the
// structure a client relies on (RFC 1035 4.1) instead of trusting a lenient parser.

/** The parts of a response the tests compare against the query. */
export interface CheckedResponse {
  id: number;
  qr: boolean;
  opcode: number;
  tc: boolean;
  rcode: number;
  counts: [number, number, number, number];
  /** Offset just past the question section (12 when there is none). */
  questionEnd: number;
  /** Number of OPT records in the additional section. */
  optCount: number;
}

/** Skips a name, following compression pointers only backwards; throws on anything malformed. */
function skipName(msg: Buffer, offset: number): number {
  let o = offset;
  let end = -1;
  let total = 0;
  for (let hops = 0; hops < 128; hops++) {
    if (o >= msg.length) throw new Error(`name at ${offset} runs past the end`);
    const len = msg[o];
    if (len === 0) return end >= 0 ? end : o + 1;
    if ((len & 0xc0) === 0xc0) {
      if (o + 2 > msg.length) throw new Error(`pointer at ${o} is cut off`);
      const target = ((len & 0x3f) << 8) | msg[o + 1];
      if (target >= o) throw new Error(`pointer at ${o} points forward to ${target}`);
      if (end < 0) end = o + 2;
      o = target;
      continue;
    }
    if (len & 0xc0) throw new Error(`reserved label type 0x${len.toString(16)} at ${o}`);
    total += len + 1;
    if (total > 255) throw new Error(`name at ${offset} longer than 255 octets`);
    o += len + 1;
  }
  throw new Error(`name at ${offset}: too many pointers`);
}

/** Parses `msg` as a response; throws with the reason when it is not well formed. */
export function checkResponse(msg: Buffer): CheckedResponse {
  if (msg.length < 12) throw new Error(`response of ${msg.length} bytes is shorter than a header`);
  const counts: [number, number, number, number] = [msg.readUInt16BE(4), msg.readUInt16BE(6), msg.readUInt16BE(8), msg.readUInt16BE(10)];
  let o = 12;
  for (let i = 0; i < counts[0]; i++) {
    o = skipName(msg, o) + 4;
    if (o > msg.length) throw new Error('question runs past the end');
  }
  const questionEnd = o;
  let optCount = 0;
  const records = counts[1] + counts[2] + counts[3];
  for (let i = 0; i < records; i++) {
    const nameEnd = skipName(msg, o);
    if (nameEnd + 10 > msg.length) throw new Error(`record ${i} header runs past the end`);
    const type = msg.readUInt16BE(nameEnd);
    const rdEnd = nameEnd + 10 + msg.readUInt16BE(nameEnd + 8);
    if (rdEnd > msg.length) throw new Error(`record ${i} rdata runs past the end`);
    if (type === 41) {
      if (i < counts[1] + counts[2]) throw new Error('OPT outside the additional section');
      optCount++;
    }
    o = rdEnd;
  }
  if (o !== msg.length) throw new Error(`${msg.length - o} bytes after the last record`);
  if (optCount > 1) throw new Error('more than one OPT');
  return {
    id: msg.readUInt16BE(0),
    qr: (msg[2] & 0x80) !== 0,
    opcode: (msg[2] >> 3) & 0x0f,
    tc: (msg[2] & 0x02) !== 0,
    rcode: msg[3] & 0x0f,
    counts,
    questionEnd,
    optCount,
  };
}

/**
 * Asserts that `reply` is a proper answer to `query`: well formed, same id, QR set, the
 * question echoed byte for byte when there is one, and within `maxSize` bytes.
 */
export function assertAnswers(query: Buffer, reply: Buffer, maxSize: number): CheckedResponse {
  const r = checkResponse(reply);
  if (r.id !== query.readUInt16BE(0)) throw new Error(`id ${r.id} does not echo ${query.readUInt16BE(0)}`);
  if (!r.qr) throw new Error('QR bit not set');
  if (r.opcode !== ((query[2] >> 3) & 0x0f)) throw new Error('opcode not echoed');
  if (r.counts[0] > 1) throw new Error(`qdcount ${r.counts[0]}`);
  if (r.counts[0] === 1 && !reply.subarray(12, r.questionEnd).equals(query.subarray(12, r.questionEnd))) throw new Error('question not echoed');
  if (reply.length > maxSize) throw new Error(`${reply.length} bytes exceed the ${maxSize}-byte limit`);
  return r;
}
