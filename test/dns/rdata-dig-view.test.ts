import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { typeCode, typeName } from '../../src/config/rdata/type-codes.js';
import { encodeRdata } from '../../src/config/rdata/rdata.js';
import { loadZoneFile } from '../../src/config/zone-file/loader.js';
import { parseZoneText, type ZoneFileRecord } from '../../src/config/zone-file/parser.js';
import { encodeName, encodeRecord } from '../../src/dns/wire.js';
import { describeWithTool } from '../support/system-tool.js';

// dig's view of our rdata encoders: a bare responder on 127.0.0.1:0 answers each question
// with the example zone's records exactly as encodeRecord writes them; dig decodes them with
// its own code and prints them; that text, read back by our zone-file parser, must encode
// to the same octets. A wrong length, order or field on the wire shows up as a difference.

const run = promisify(execFile);
const records = loadZoneFile({ zone: 'example.com', file: 'zones/example.com.zone', baseDir: 'config', displayDir: 'config' }).records;
const key = (name: string, code: number) => `${name}/${code}`;
const byQuestion = new Map<string, ZoneFileRecord[]>();
for (const r of records) byQuestion.set(key(r.name, typeCode(r.data)), [...(byQuestion.get(key(r.name, typeCode(r.data))) ?? []), r]);

/** Answers a query with the records of its name and type (AA, no compression, no EDNS). */
function answer(query: Buffer): Buffer {
  let o = 12;
  const labels: string[] = [];
  while (query[o] !== 0) {
    labels.push(query.toString('latin1', o + 1, o + 1 + query[o]).toLowerCase());
    o += query[o] + 1;
  }
  const qtype = query.readUInt16BE(o + 1);
  const question = query.subarray(12, o + 5);
  const rrs = byQuestion.get(key(labels.join('.'), qtype)) ?? [];
  const head = Buffer.alloc(12);
  head.writeUInt16BE(query.readUInt16BE(0), 0);
  head.writeUInt16BE(0x8400, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(rrs.length, 6);
  return Buffer.concat([head, question, ...rrs.map((r) => encodeRecord(r.name, r.ttl, r.data))]);
}

describeWithTool('dig decodes every record type as we encode it', { command: 'dig', versionArgs: ['-v'], apt: 'dnsutils' }, () => {
  let socket: Socket;
  let port = 0;
  beforeAll(async () => {
    socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => socket.send(answer(msg), rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    port = socket.address().port;
  });
  afterAll(() => socket.close());

  for (const [question, expected] of byQuestion) {
    const [name, code] = question.split('/');
    it(`${name} ${typeName(Number(code))}`, async () => {
      const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+noall', '+answer', '+norecurse', '+noedns', '+time=2', '+tries=1', `${name}.`, `TYPE${code}`]);
      const printed: string[] = [];
      parseZoneText(stdout, 'dig', { origin: '', defaultTtl: undefined, lastTtl: undefined, previousOwner: undefined }, {
        zone: '',
        record: (r) => printed.push(`${encodeName(r.name).toString('hex')} ${r.ttl} ${typeCode(r.data)} ${encodeRdata(r.data).toString('hex')}`),
        problem: (line, message) => printed.push(`dig line ${line} unreadable: ${message}\n${stdout}`),
        include: () => printed.push('unexpected $INCLUDE'),
      });
      expect(printed).toEqual(expected.map((r) => `${encodeName(r.name).toString('hex')} ${r.ttl} ${typeCode(r.data)} ${encodeRdata(r.data).toString('hex')}`));
    });
  }
});
