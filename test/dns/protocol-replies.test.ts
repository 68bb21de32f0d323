import { afterAll, beforeAll, expect, it } from 'vitest';
import { optRecord } from '../../load/hostile-packets.mjs';
import { encodeName } from '../../src/dns/wire.js';
import { dig } from '../support/dig.js';
import { sendTcp, sendUdp } from '../support/dns-client.js';
import { describeWithTool } from '../support/system-tool.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// NOTIMP, FORMERR and NOTAUTH replies: with the request's OPT where RFC 6891 6.1.1 asks, and
// a TSIG-signed request refused with an unsigned BADKEY TSIG (RFC 8945 5.2.2, 5.3.2). dig
// where it can say the query; raw packets for what it cannot (it never sends these shapes).

const DIG = { command: 'dig', versionArgs: ['-v'], apt: 'dnsutils' };

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
/** Header: id 0x1234, `flags2` (QR/opcode/AA/TC/RD byte), then the four counts. */
const header = (flags2: number, qd: number, an: number, ns: number, ar: number) => Buffer.concat([Buffer.from([0x12, 0x34, flags2, 0]), u16(qd), u16(an), u16(ns), u16(ar)]);
const question = (name: string, type = 1) => Buffer.concat([encodeName(name), u16(type), u16(1)]);
/** A TSIG record (RFC 8945 4.2) for key `key`, hmac-sha256, a 32-octet MAC. */
function tsigRecord(key: string, rdataTail = Buffer.concat([u16(0x1234), u16(0), u16(0)])): Buffer {
  const rdata = Buffer.concat([encodeName('hmac-sha256'), Buffer.from([0, 0, 0x6b, 0x0f, 0x62, 0x00]), u16(300), u16(32), Buffer.alloc(32, 7), rdataTail]);
  return Buffer.concat([encodeName(key), u16(250), u16(255), Buffer.alloc(4), u16(rdata.length), rdata]);
}

/** What a raw reply says: rcode (with the OPT's extended bits), counts, and its OPT and TSIG records. */
function readReply(raw: Buffer) {
  const counts = [raw.readUInt16BE(4), raw.readUInt16BE(6), raw.readUInt16BE(8), raw.readUInt16BE(10)];
  let o = 12;
  const skipName = () => {
    while (raw[o] !== 0 && (raw[o] & 0xc0) !== 0xc0) o += raw[o] + 1;
    o += raw[o] === 0 ? 1 : 2;
  };
  for (let i = 0; i < counts[0]; i++) {
    skipName();
    o += 4;
  }
  const records: { type: number; ttl: number; rdata: Buffer; owner: number }[] = [];
  for (let i = 0; i < counts[1] + counts[2] + counts[3]; i++) {
    const owner = o;
    skipName();
    records.push({ type: raw.readUInt16BE(o), ttl: raw.readUInt32BE(o + 4), rdata: raw.subarray(o + 10, o + 10 + raw.readUInt16BE(o + 8)), owner });
    o += 10 + raw.readUInt16BE(o + 8);
  }
  const opt = records.find((r) => r.type === 41);
  const tsig = records.find((r) => r.type === 250);
  return {
    opcode: (raw[2] >> 3) & 0x0f,
    rcode: (raw[3] & 0x0f) | (opt ? (opt.ttl >>> 24) << 4 : 0),
    counts,
    opt: opt !== undefined,
    optionCodes: opt ? optionCodes(opt.rdata) : [],
    tsig: tsig ? { rdata: tsig.rdata.toString('hex'), last: records.at(-1) === tsig } : undefined,
    length: raw.length,
    end: o,
  };
}

function optionCodes(rdata: Buffer): number[] {
  const codes: number[] = [];
  for (let o = 0; o + 4 <= rdata.length; o += 4 + rdata.readUInt16BE(o + 2)) codes.push(rdata.readUInt16BE(o));
  return codes;
}

async function udp(port: number, msg: Buffer) {
  const raw = await sendUdp(port, msg);
  if (!raw) throw new Error('no reply');
  return readReply(raw);
}

describeWithTool('NOTIMP, FORMERR and NOTAUTH replies', DIG, () => {
  let server: TestServer;
  beforeAll(async () => {
    const doc = exampleDocument();
    doc.dns.nsid = 'ns-a';
    server = await startServer(doc);
  });
  afterAll(() => server?.close());

  it('NOTIMP for NOTIFY, STATUS, UPDATE and unassigned opcodes carries OPT when the request had one (RFC 6891 6.1.1)', async () => {
    for (const opcode of ['notify', 'status', 'update', '3', '15']) {
      const withOpt = await dig(server.port, [`+opcode=${opcode}`, '+nsid', 'api.example.com', 'A']);
      expect([opcode, withOpt.status, withOpt.edns, withOpt.nsid, withOpt.counts.answer]).toEqual([opcode, 'NOTIMP', true, 'ns-a', 0]);
      const without = await dig(server.port, [`+opcode=${opcode}`, '+noedns', 'api.example.com', 'A']);
      expect([opcode, without.status, without.edns]).toEqual([opcode, 'NOTIMP', false]);
    }
    expect((await dig(server.port, ['+opcode=notify', '+tcp', 'api.example.com', 'SOA'])).edns).toBe(true);
  });

  it('NOTIMP without a question, and for a malformed message of another opcode', async () => {
    const empty = await udp(server.port, Buffer.concat([header(0x20, 0, 0, 0, 1), optRecord()]));
    expect(empty).toMatchObject({ opcode: 4, rcode: 4, counts: [0, 0, 0, 1], opt: true });
    const garbage = await udp(server.port, Buffer.concat([header(0x20, 1, 0, 0, 1), question('api.example.com'), optRecord(), Buffer.from([1, 2, 3])]));
    expect(garbage).toMatchObject({ opcode: 4, rcode: 4, opt: true, optionCodes: [] });
  });

  it('FORMERR carries the OPT when it could be read: two questions, trailing bytes, a COOKIE of 41 octets', async () => {
    const two = await udp(server.port, Buffer.concat([header(0, 2, 0, 0, 1), question('api.example.com'), question('example.com'), optRecord()]));
    expect(two).toMatchObject({ rcode: 1, counts: [0, 0, 0, 1], opt: true });
    const trailing = await udp(server.port, Buffer.concat([header(0, 1, 0, 0, 1), question('api.example.com'), optRecord({ options: [{ code: 3, data: Buffer.alloc(0) }] }), Buffer.from([0])]));
    expect(trailing).toMatchObject({ rcode: 1, counts: [1, 0, 0, 1], opt: true, optionCodes: [] });
    const long = await udp(server.port, Buffer.concat([header(0, 1, 0, 0, 1), question('api.example.com'), optRecord({ options: [{ code: 10, data: Buffer.alloc(41, 1) }] })]));
    expect(long).toMatchObject({ rcode: 1, opt: true, optionCodes: [] });
    const twoCookies = optRecord({ options: [{ code: 10, data: Buffer.alloc(8, 1) }, { code: 10, data: Buffer.alloc(8, 2) }] });
    expect(await udp(server.port, Buffer.concat([header(0, 1, 0, 0, 1), question('api.example.com'), twoCookies]))).toMatchObject({ rcode: 1, opt: true });
  });

  it('a TSIG-signed query gets NOTAUTH with an unsigned TSIG: BADKEY, MAC size 0, the request time, fudge and id (dig -y)', async () => {
    for (const transport of [[], ['+tcp']]) {
      const reply = await dig(server.port, [...transport, '-y', 'hmac-sha256:transfer-key.:c2VjcmV0c2VjcmV0c2VjcmV0', 'api.example.com', 'A']);
      expect([reply.status, reply.counts.answer, reply.counts.additional, reply.edns]).toEqual(['NOTAUTH', 0, 2, true]);
      expect(reply.tsig).toMatch(/^transfer-key\. 0 ANY TSIG hmac-sha256\. \d+ 300 0 \d+ BADKEY 0$/);
      expect(reply.text).toContain(";; Couldn't verify signature: tsig indicates error");
    }
  });

  it('NOTAUTH comes before NOTIMP for a signed NOTIFY, and the TSIG is the last record (RFC 8945 5.1)', async () => {
    const msg = Buffer.concat([header(0x20, 1, 0, 0, 2), question('example.com', 6), optRecord(), tsigRecord('notify-key')]);
    const reply = await udp(server.port, msg);
    expect(reply).toMatchObject({ opcode: 4, rcode: 9, counts: [1, 0, 0, 2], opt: true, tsig: { last: true } });
    // algorithm, time signed and fudge as sent, MAC size 0, original id 0x1234, error 17 (BADKEY), other length 0
    expect(reply.tsig!.rdata).toBe(`${encodeName('hmac-sha256').toString('hex')}00006b0f6200012c00001234${'0011'}0000`);
    const tcp = await sendTcp(server.port, [msg]);
    expect(readReply(tcp[0])).toMatchObject({ rcode: 9, tsig: { last: true } });
  });

  it('a TSIG that is not the last record, sits in the answer section, or cannot be read is FORMERR without TSIG', async () => {
    const q = question('api.example.com');
    const cases = {
      'before the OPT': Buffer.concat([header(0, 1, 0, 0, 2), q, tsigRecord('k'), optRecord()]),
      'in the answer section': Buffer.concat([header(0, 1, 1, 0, 0), q, tsigRecord('k')]),
      'other length past the end': Buffer.concat([header(0, 1, 0, 0, 1), q, tsigRecord('k', Buffer.concat([u16(1), u16(0), u16(9)]))]),
      'a MAC longer than the record': Buffer.concat([header(0, 1, 0, 0, 1), q, Buffer.concat([encodeName('k'), u16(250), u16(255), Buffer.alloc(4), u16(22), encodeName('x'), Buffer.alloc(6), u16(300), u16(200), Buffer.alloc(10)])]),
    };
    for (const [what, msg] of Object.entries(cases)) {
      const reply = await udp(server.port, msg);
      expect([what, reply.rcode, reply.tsig]).toEqual([what, 1, undefined]);
    }
  });
});
