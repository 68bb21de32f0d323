import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, buildQuery, decodeReply, sendTcp, sendUdp } from '../support/dns-client.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// One test per "DNS correctness" item of DESIGN.md, over real UDP/TCP sockets.

const { Packet } = dns2;
let server: TestServer;

beforeAll(async () => {
  const doc = exampleDocument();
  // Enough TXT data that an ANY-free answer overflows 512 bytes but fits 1232 and TCP.
  doc.zones[0].records.push({ name: 'big', type: 'TXT', value: Array.from({ length: 5 }, (_, i) => `${i}`.repeat(200)) });
  doc.zones[0].records.push({ name: 'sub', type: 'NS', value: ['ns.sub.example.com.'] });
  doc.zones[0].records.push({ name: 'ns.sub', type: 'A', value: '192.0.2.80' });
  doc.zones[0].records.push({ name: 'deep.empty', type: 'A', value: '192.0.2.81' });
  doc.zones[0].records.push({ name: 'smtp', type: 'CNAME', value: 'mail.example.com.' });
  server = await startServer(doc, {}, { ipv6: true });
});
afterAll(() => server.close());

function rcodeOf(raw: Buffer): number {
  return raw[3] & 0x0f;
}

describe('zone membership', () => {
  it('REFUSED outside served zones, without AA', async () => {
    const r = await ask(server.port, { name: 'example.org', type: 'A' });
    expect(r.rcode).toBe(5);
    expect(r.aa).toBe(false);
    expect(r.packet.answers).toHaveLength(0);
  });

  it('REFUSED for a name that only shares a suffix string (notexample.com)', async () => {
    const r = await ask(server.port, { name: 'notexample.com', type: 'A' });
    expect(r.rcode).toBe(5);
  });

  it('NXDOMAIN with the SOA in the authority section, AA set', async () => {
    const r = await ask(server.port, { name: 'nope.example.com', type: 'A' });
    expect(r.rcode).toBe(3);
    expect(r.aa).toBe(true);
    expect(r.packet.answers).toHaveLength(0);
    expect(r.packet.authorities).toHaveLength(1);
    const soa = r.packet.authorities[0] as unknown as { type: number; name: string; ttl: number; primary: string };
    expect(soa.type).toBe(Packet.TYPE.SOA);
    expect(soa.name).toBe('example.com');
    expect(soa.primary).toBe('ns1.example.com');
    expect(soa.ttl).toBe(60); // RFC 2308: min(SOA TTL 3600, MINIMUM 60)
  });

  it('NODATA: NOERROR, no answer, SOA in authority (static name, missing type)', async () => {
    const r = await ask(server.port, { name: 'mail.example.com', type: 'AAAA' });
    expect(r.rcode).toBe(0);
    expect(r.aa).toBe(true);
    expect(r.packet.answers).toHaveLength(0);
    expect((r.packet.authorities[0] as unknown as { type: number }).type).toBe(Packet.TYPE.SOA);
  });

  it('NODATA for a steered name and a type it does not steer (MX)', async () => {
    const r = await ask(server.port, { name: 'api.example.com', type: 'MX' });
    expect(r.rcode).toBe(0);
    expect(r.packet.answers).toHaveLength(0);
    expect(r.packet.authorities).toHaveLength(1);
  });

  it('an empty non-terminal is NODATA, not NXDOMAIN (RFC 8020)', async () => {
    const r = await ask(server.port, { name: 'empty.example.com', type: 'A' });
    expect(r.rcode).toBe(0);
    expect(r.packet.answers).toHaveLength(0);
  });

  it('a delegated subzone gets a referral: NS in authority, glue, no AA', async () => {
    const r = await ask(server.port, { name: 'www.sub.example.com', type: 'A' });
    expect(r.rcode).toBe(0);
    expect(r.aa).toBe(false);
    expect(r.packet.answers).toHaveLength(0);
    expect(r.packet.authorities.map((a) => (a as unknown as { ns: string }).ns)).toEqual(['ns.sub.example.com']);
    expect(r.packet.additionals.some((a) => (a as unknown as { address?: string }).address === '192.0.2.80')).toBe(true);
  });
});

describe('apex', () => {
  it('SOA at the apex', async () => {
    const r = await ask(server.port, { name: 'example.com', type: 'SOA' });
    expect(r.rcode).toBe(0);
    expect(r.aa).toBe(true);
    const soa = r.packet.answers[0] as unknown as { primary: string; admin: string; serial: number };
    expect(soa.primary).toBe('ns1.example.com');
    expect(soa.admin).toBe('hostmaster.example.com');
    expect(soa.serial).toBe(2026112201);
  });

  it('NS at the apex with glue A and AAAA in the additional section', async () => {
    const r = await ask(server.port, { name: 'example.com', type: 'NS' });
    expect(r.answers.sort()).toEqual(['ns1.example.com', 'ns2.example.com']);
    const glue = r.packet.additionals.filter((a) => a.type !== Packet.TYPE.EDNS).map((a) => `${a.name} ${(a as unknown as { address: string }).address}`);
    expect(glue.sort()).toEqual(['ns1.example.com 192.0.2.53', 'ns1.example.com 2001:db8:53::1', 'ns2.example.com 192.0.2.54', 'ns2.example.com 2001:db8:53::2']);
  });
});

describe('static records beside steered names', () => {
  const cases: [string, keyof typeof Packet.TYPE, string[]][] = [
    ['ns1.example.com', 'A', ['192.0.2.53']],
    ['ns1.example.com', 'AAAA', ['2001:db8:53::1']],
    ['example.com', 'MX', ['mail.example.com']],
    ['example.com', 'TXT', ['v=spf1 mx -all']],
    ['sub.example.com', 'NS', []], // a delegation point: referral, not an answer
  ];
  for (const [name, type, expected] of cases) {
    it(`${name} ${type}`, async () => {
      const r = await ask(server.port, { name, type });
      expect(r.rcode).toBe(0);
      expect(r.answers).toEqual(expected);
    });
  }

  it('a CNAME to a steered name carries the steered answer for that client (RFC 1034 4.3.2)', async () => {
    const r = await ask(server.port, { name: 'www.example.com', type: 'A', ecs: '202.32.0.0/24' });
    expect(r.rcode).toBe(0);
    // www -> api.example.com, steered: JP is answered from tokyo, with the scope of that decision
    expect(r.packet.answers.map((a) => [a.name, a.type])).toEqual([
      ['www.example.com', Packet.TYPE.CNAME],
      ['api.example.com', Packet.TYPE.A],
    ]);
    expect(r.answers).toEqual(['api.example.com', '198.51.100.30']);
    expect(r.ecs?.scopePrefixLength).toBe(16);
  });

  it('a CNAME to a static in-zone name carries the target records too (RFC 1034 4.3.2)', async () => {
    const r = await ask(server.port, { name: 'smtp.example.com', type: 'A' });
    expect(r.packet.answers.map((a) => [a.name, a.type])).toEqual([
      ['smtp.example.com', Packet.TYPE.CNAME],
      ['mail.example.com', Packet.TYPE.A],
    ]);
    expect(r.answers).toEqual(['mail.example.com', '192.0.2.25']);
    // a type the target does not have: the CNAME, and the SOA for negative caching (RFC 2308 2.2)
    const txt = await ask(server.port, { name: 'smtp.example.com', type: 'TXT' });
    expect(txt.answers).toEqual(['mail.example.com']);
    expect(txt.packet.authorities.map((a) => [a.name, a.type])).toEqual([['example.com', Packet.TYPE.SOA]]);
  });

  it('CAA', async () => {
    const r = await ask(server.port, { name: 'example.com', type: 'CAA' });
    const caa = r.packet.answers[0] as unknown as { flags: number; tag: string; value: string };
    expect(caa).toMatchObject({ flags: 0, tag: 'issue', value: 'letsencrypt.org' });
  });
});

describe('header and question', () => {
  it('AA on authoritative answers, RD copied, RA clear, id echoed', async () => {
    const msg = buildQuery({ name: 'api.example.com', type: 'A', id: 0x4242, recursionDesired: true });
    const raw = (await sendUdp(server.port, msg))!;
    expect(raw.readUInt16BE(0)).toBe(0x4242);
    expect(raw[2] & 0x80).toBe(0x80); // QR
    expect(raw[2] & 0x04).toBe(0x04); // AA
    expect(raw[2] & 0x01).toBe(0x01); // RD copied
    expect(raw[3] & 0x80).toBe(0); // RA clear
  });

  it('question case is preserved (0x20 bit randomisation survives)', async () => {
    const r = await ask(server.port, { name: 'aPi.ExAmPlE.cOm', type: 'A', ecs: '8.8.8.0/24' });
    expect(r.packet.questions[0].name).toBe('aPi.ExAmPlE.cOm');
    expect(r.packet.answers[0].name).toBe('aPi.ExAmPlE.cOm');
    expect(r.answers).toEqual(['198.51.100.40']);
  });

  it('RFC 8482: ANY gets one RRset, not everything', async () => {
    const r = await ask(server.port, { name: 'example.com', type: 'ANY' });
    expect(r.rcode).toBe(0);
    const types = new Set(r.packet.answers.map((a) => a.type));
    expect(types.size).toBe(1);
    const steered = await ask(server.port, { name: 'api.example.com', type: 'ANY', ecs: '202.32.0.0/24' });
    expect(steered.answers).toEqual(['198.51.100.30']);
  });
});

describe('malformed and unsupported queries', () => {
  it('FORMERR on a truncated packet (question cut short)', async () => {
    const full = buildQuery({ name: 'api.example.com', type: 'A', edns: false });
    const raw = await sendUdp(server.port, full.subarray(0, 20));
    expect(raw).toBeDefined();
    expect(rcodeOf(raw!)).toBe(1);
    expect(raw!.readUInt16BE(0)).toBe(full.readUInt16BE(0));
  });

  it('packets shorter than a header, and responses, are dropped', async () => {
    expect(await sendUdp(server.port, Buffer.from([1, 2, 3]), '127.0.0.1', 300)).toBeUndefined();
    const response = buildQuery({ name: 'api.example.com' });
    response[2] |= 0x80;
    expect(await sendUdp(server.port, response, '127.0.0.1', 300)).toBeUndefined();
  });

  it('NOTIMP for opcode 2 (STATUS)', async () => {
    const msg = buildQuery({ name: 'api.example.com', type: 'A', edns: false });
    msg[2] = (msg[2] & 0x87) | (2 << 3);
    const raw = (await sendUdp(server.port, msg))!;
    expect(rcodeOf(raw)).toBe(4);
    expect((raw[2] >> 3) & 0x0f).toBe(2); // opcode echoed
  });

  it('FORMERR when qdcount is not 1', async () => {
    const msg = buildQuery({ name: 'api.example.com', type: 'A', edns: false });
    msg.writeUInt16BE(2, 4);
    expect(rcodeOf((await sendUdp(server.port, msg))!)).toBe(1);
  });

  it('FORMERR for a malformed ECS option (address bits beyond the source prefix)', async () => {
    const r = decodeReply((await sendUdp(server.port, buildQuery({ name: 'api.example.com', ecs: '1.34.5.77/20' })))!);
    expect(r.rcode).toBe(1);
  });

  it('REFUSED for a zone transfer', async () => {
    const [raw] = await sendTcp(server.port, [buildQuery({ name: 'example.com', type: 'AXFR', edns: false })]);
    expect(rcodeOf(raw)).toBe(5);
  });
});

describe('EDNS(0), RFC 6891', () => {
  it('OPT is echoed with our payload size; no OPT when the query had none', async () => {
    const withOpt = await ask(server.port, { name: 'api.example.com', edns: { udpSize: 4096 } });
    expect(withOpt.opt).toMatchObject({ udpSize: 1232, version: 0 });
    const without = await ask(server.port, { name: 'api.example.com', edns: false });
    expect(without.opt).toBeUndefined();
    expect(without.ecs).toBeUndefined();
  });

  it('BADVERS for version 1, with an OPT of version 0', async () => {
    const r = await ask(server.port, { name: 'api.example.com', edns: { version: 1 } });
    expect(r.rcode).toBe(16);
    expect(r.opt?.version).toBe(0);
    expect(r.packet.answers).toHaveLength(0);
  });

  it('unknown options are ignored', async () => {
    const msg = buildQuery({ name: 'api.example.com', ecs: '8.8.8.0/24' });
    // append option 65001 (length 2) to the OPT rdata: bump RDLENGTH and add the bytes
    const rdlenAt = msg.length - 11 - 2; // OPT rdlength precedes the 11-byte ECS option (8.8.8/24)
    msg.writeUInt16BE(msg.readUInt16BE(rdlenAt) + 6, rdlenAt);
    const patched = Buffer.concat([msg, Buffer.from([0xfd, 0xe9, 0, 2, 0xab, 0xcd])]);
    const r = decodeReply((await sendUdp(server.port, patched))!);
    expect(r.rcode).toBe(0);
    expect(r.answers).toEqual(['198.51.100.40']);
  });

  it('the requestor payload size is honoured: TC over UDP when it does not fit, full answer over TCP', async () => {
    const small = await ask(server.port, { name: 'big.example.com', type: 'TXT', edns: false });
    expect(small.tc).toBe(true);
    expect(small.packet.answers).toHaveLength(0);
    const fits = await ask(server.port, { name: 'big.example.com', type: 'TXT', edns: { udpSize: 1232 } });
    expect(fits.tc).toBe(false);
    expect(fits.packet.answers).toHaveLength(5);
    const tcp = await ask(server.port, { name: 'big.example.com', type: 'TXT', edns: false, transport: 'tcp' });
    expect(tcp.tc).toBe(false);
    expect(tcp.answers.map((a) => a.length)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('ECS scope (RFC 7871)', () => {
  it('scope 0 on answers that do not depend on location', async () => {
    const r = await ask(server.port, { name: 'example.com', type: 'SOA', ecs: '1.34.5.0/24' });
    expect(r.ecs).toMatchObject({ sourcePrefixLength: 24, scopePrefixLength: 0 });
    const nx = await ask(server.port, { name: 'nx.example.com', type: 'A', ecs: '1.34.5.0/24' });
    expect(nx.ecs?.scopePrefixLength).toBe(0);
  });

  it('scope of the deciding GeoIP network, capped at the source prefix', async () => {
    const wide = await ask(server.port, { name: 'api.example.com', ecs: '1.34.5.0/24' });
    expect(wide.ecs?.scopePrefixLength).toBe(22); // TW network 1.34.4.0/22
    const narrow = await ask(server.port, { name: 'api.example.com', ecs: '1.34.0.0/16' });
    expect(narrow.ecs?.scopePrefixLength).toBeLessThanOrEqual(16);
  });

  it('source prefix 0: location from the source address, scope 0', async () => {
    const r = await ask(server.port, { name: 'api.example.com', ecs: '0.0.0.0/0' });
    expect(r.ecs).toMatchObject({ sourcePrefixLength: 0, scopePrefixLength: 0 });
    expect(r.answers).toEqual(['198.51.100.10']); // 127.0.0.1: unknown -> default -> taiwan
  });
});

describe('transports', () => {
  it('TCP answers pipelined queries on one connection, in order', async () => {
    const names = ['api.example.com', 'example.com', 'nx.example.com'];
    const replies = await sendTcp(server.port, names.map((name, i) => buildQuery({ name, id: 100 + i, type: name === 'example.com' ? 'SOA' : 'A' })));
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual([100, 101, 102]);
    expect(replies.map(rcodeOf)).toEqual([0, 0, 3]);
  });

  it('IPv6 over UDP and TCP', async () => {
    const udp = await ask(server.port6!, { name: 'example.com', type: 'SOA', host: '::1' });
    expect(udp.rcode).toBe(0);
    const tcp = await ask(server.port6!, { name: 'example.com', type: 'SOA', host: '::1', transport: 'tcp' });
    expect(tcp.rcode).toBe(0);
  });
});
