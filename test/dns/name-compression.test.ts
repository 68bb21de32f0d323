import dns2 from 'dns2';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, buildQuery, decodeReply, sendTcp, sendUdp } from '../support/dns-client.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';
import { assertAnswers } from '../support/wire-check.js';

// Name compression in responses (RFC 1035 4.1.4), over real UDP and TCP: the sizes it
// gives, and the late-bound pointers of answers shared by names of any length and letter
// case (negative answers, wildcards, chain prefixes before a steered answer), checked by a
// strict reader (pointers only backwards, well-formed) and decoded by dns2.

const { Packet } = dns2;
let server: TestServer;
const LABEL = 'x'.repeat(60);

beforeAll(async () => {
  const doc = exampleDocument();
  doc.zones[0].records.push(
    { name: '*.tenants', type: 'CNAME', value: 'api.example.com.' },
    { name: '*.wc', type: 'CNAME', value: 'mail.example.com.' },
    { name: 'big', type: 'TXT', value: Array.from({ length: 5 }, (_, i) => `${i}`.repeat(200)) },
    { name: 'tobig', type: 'CNAME', value: 'big.example.com.' },
    // four CNAMEs of long names before a steered answer of eight AAAA records: over 512 octets
    ...[1, 2, 3].map((i) => ({ name: `${LABEL}${i}`, type: 'CNAME', value: `${LABEL}${i + 1}.example.com.` })),
    { name: `${LABEL}4`, type: 'CNAME', value: 'many.example.com.' },
  );
  doc.regions.many = { endpoints: Array.from({ length: 8 }, (_, i) => ({ address: `2001:db8:8::${i + 1}` })) };
  doc.names.push({ name: 'many.example.com', default: ['many'] });
  server = await startServer(doc);
});
afterAll(() => server.close());

describe('sizes', () => {
  it('NXDOMAIN is 96 octets with EDNS, 85 without (129 and 118 uncompressed; Knot sends 96 and 85)', async () => {
    const withOpt = (await sendUdp(server.port, buildQuery({ name: 'nope.example.com', type: 'A' })))!;
    const plain = (await sendUdp(server.port, buildQuery({ name: 'nope.example.com', type: 'A', edns: false })))!;
    expect([withOpt.length, plain.length]).toEqual([96, 85]);
    const soa = decodeReply(withOpt).packet.authorities[0] as unknown as { name: string; primary: string; admin: string; minimum: number };
    expect([soa.name, soa.primary, soa.admin, soa.minimum]).toEqual(['example.com', 'ns1.example.com', 'hostmaster.example.com', 60]);
  });

  it('the SOA answer points its owner at the question and its names at that', async () => {
    const raw = (await sendUdp(server.port, buildQuery({ name: 'example.com', type: 'SOA' })))!;
    // header 12, question 17, SOA: owner pointer 2, fixed 10, "ns1"+pointer 6, "hostmaster"+pointer 13, timers 20; OPT 11
    expect(raw.length).toBe(12 + 17 + 2 + 10 + 6 + 13 + 20 + 11);
  });
});

describe('late-bound pointers, for names of every length and letter case', () => {
  const label = fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/);
  const labels = fc.array(label, { minLength: 1, maxLength: 6 });
  const cased = (name: string, flips: boolean[]) => [...name].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c)).join('');

  // names compare case-insensitively (RFC 4343): a pointer into the question carries its case
  const owners = (r: ReturnType<typeof decodeReply>) => r.packet.answers.map((a) => [a.name.toLowerCase(), a.type]);
  async function reply(name: string, type: 'A' | 'AAAA' | 'MX') {
    const query = buildQuery({ name, type });
    const raw = (await sendUdp(server.port, query))!;
    assertAnswers(query, raw, 1232);
    return decodeReply(raw);
  }

  it('NXDOMAIN: the SOA owned by the zone, its names intact', async () => {
    await fc.assert(
      fc.asyncProperty(labels, fc.array(fc.boolean(), { minLength: 1 }), async (ls, flips) => {
        const name = cased(`${ls.join('.')}.nx.example.com`, flips);
        const r = await reply(name, 'A');
        const soa = r.packet.authorities[0] as unknown as { name: string; primary: string; admin: string };
        expect([r.rcode, soa.name.toLowerCase(), soa.primary.toLowerCase(), soa.admin.toLowerCase()]).toEqual([3, 'example.com', 'ns1.example.com', 'hostmaster.example.com']);
      }),
      { numRuns: 60 },
    );
  });

  it('a wildcard CNAME to a static name, and to a steered one (the chain prefix before the client\'s answer)', async () => {
    await fc.assert(
      fc.asyncProperty(labels, fc.array(fc.boolean(), { minLength: 1 }), async (ls, flips) => {
        const wc = cased(`${ls.join('.')}.wc.example.com`, flips);
        const r = await reply(wc, 'A');
        expect(r.packet.answers[0].name).toBe(wc);
        expect(owners(r)).toEqual([[wc.toLowerCase(), Packet.TYPE.CNAME], ['mail.example.com', Packet.TYPE.A]]);
        expect(r.answers.map((a) => a.toLowerCase())).toEqual(['mail.example.com', '192.0.2.25']);
        const tenant = cased(`${ls.join('.')}.tenants.example.com`, flips);
        const s = await reply(tenant, 'AAAA');
        expect(s.packet.answers[0].name).toBe(tenant);
        expect(owners(s)).toEqual([[tenant.toLowerCase(), Packet.TYPE.CNAME], ['api.example.com', Packet.TYPE.AAAA]]);
        expect(s.answers.map((a) => a.toLowerCase())).toEqual(['api.example.com', '2001:db8:1::10']);
        // NODATA after the prefix: the SOA of the steered name's zone
        const mx = await reply(tenant, 'MX');
        expect(mx.packet.authorities.map((a) => [a.name.toLowerCase(), a.type])).toEqual([['example.com', Packet.TYPE.SOA]]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('truncation is unchanged (RFC 2181 9)', () => {
  const first = `${LABEL}1.example.com`;

  it('a chain to a big static answer: TC without EDNS, whole over TCP', async () => {
    const query = buildQuery({ name: 'tobig.example.com', type: 'TXT', edns: false });
    const udp = decodeReply((await sendUdp(server.port, query))!);
    expect([udp.tc, udp.packet.answers.length]).toEqual([true, 0]);
    const [tcp] = await sendTcp(server.port, [query]);
    expect(decodeReply(tcp).packet.answers.map((a) => a.type)).toEqual([Packet.TYPE.CNAME, ...Array(5).fill(Packet.TYPE.TXT)]);
  });

  it('a chain prefix before a steered answer counts: TC without EDNS, whole with EDNS and over TCP', async () => {
    const udp = await ask(server.port, { name: first, type: 'AAAA', edns: false });
    expect([udp.tc, udp.packet.answers.length, udp.raw.length]).toEqual([true, 0, 12 + first.length + 2 + 4]);
    for (const r of [await ask(server.port, { name: first, type: 'AAAA' }), await ask(server.port, { name: first, type: 'AAAA', edns: false, transport: 'tcp' })]) {
      expect(r.tc).toBe(false);
      expect(r.packet.answers.map((a) => a.name)).toEqual([first, ...[2, 3, 4].map((i) => `${LABEL}${i}.example.com`), ...Array(8).fill('many.example.com')]);
      expect(r.raw.length).toBeGreaterThan(512);
    }
  });
});
