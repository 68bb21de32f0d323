import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digBatch, type DigQuery, type DigReply } from '../support/dig-batch.js';
import { describeWithTool } from '../support/system-tool.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// Resolution that meets steering, over real UDP and TCP, asked by dig: CNAME chains that end
// at a steered name (the static records, then that client's steered answer with the ECS
// scope of the decision), steered wildcards, and HTTPS records whose ipv4hint/ipv6hint are
// the addresses of the region the client is steered to. Client countries come from the ECS
// option and the bundled GeoLite2 data: 1.34.5.0/24 is TW, 202.32.0.0/24 is JP, 8.8.8.0/24 US.

const TW = '+subnet=1.34.5.0/24';
const JP = '+subnet=202.32.0.0/24';
const US = '+subnet=8.8.8.0/24';

function document(): Record<string, any> {
  const doc = exampleDocument();
  doc.zones[0].records.push(
    { name: 'chain', type: 'CNAME', value: 'www.example.com.' },
    { name: '*.tenants', type: 'CNAME', value: 'api.example.com.' },
    { name: 'api', type: 'HTTPS', value: '1 . alpn=h2,h3 ipv4hint=steered ipv6hint=steered' },
    { name: 'api', type: 'TXT', value: 'hello' },
    { name: 'v4', type: 'HTTPS', value: '1 . alpn=h2 ipv4hint=steered ipv6hint=steered' },
    { name: 'tov4', type: 'CNAME', value: 'v4.example.com.' },
    { name: 'tocdn', type: 'CNAME', value: 'cdn.example.com.' },
    { name: 'static.edge', type: 'TXT', value: 'static' },
    { name: 'to-edge', type: 'CNAME', value: 'foo.edge.example.com.' },
  );
  doc.regions['v4-only'] = { endpoints: [{ address: '198.51.100.50' }] };
  doc.regions['edge-cdn'] = { cname: 'edge.cdn.example.net' };
  doc.names.push(
    { name: 'v4.example.com', default: ['v4-only'] },
    { name: 'cdn.example.com', default: ['edge-cdn'] },
    { name: '*.edge.example.com', rules: [{ countries: ['JP'], tiers: ['tokyo'] }], default: ['us-west'] },
  );
  return doc;
}

const rr = (owner: string, ttl: number, type: string, data: string) => `${owner}. ${ttl} IN ${type} ${data}`;
const SOA = rr('example.com', 60, 'SOA', 'ns1.example.com. hostmaster.example.com. 2026112201 7200 3600 1209600 60');
const CNAME = (from: string, to: string) => rr(from, 3600, 'CNAME', `${to}.`);

describeWithTool('CNAME chains, wildcards and HTTPS hints meet steering', { command: 'dig', versionArgs: ['-v'], apt: 'dnsutils' }, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(document());
  });
  afterAll(() => server.close());

  async function ask(name: string, type: string, ...options: string[]): Promise<DigReply> {
    return (await digBatch(server.port, [{ name, type, options }], 'udp'))[0];
  }

  describe('a chain that ends at a steered name carries that client\'s answer', () => {
    const cases: [string, DigQuery, string[], string][] = [
      ['TW, one hop', { name: 'www.example.com', type: 'A', options: [TW] }, [CNAME('www.example.com', 'api.example.com'), rr('api.example.com', 30, 'A', '198.51.100.10')], '1.34.5.0/24/22'],
      ['JP, one hop, AAAA', { name: 'www.example.com', type: 'AAAA', options: [JP] }, [CNAME('www.example.com', 'api.example.com'), rr('api.example.com', 30, 'AAAA', '2001:db8:3::30')], '202.32.0.0/24/16'],
      [
        'JP, two hops',
        { name: 'chain.example.com', type: 'A', options: [JP] },
        [CNAME('chain.example.com', 'www.example.com'), CNAME('www.example.com', 'api.example.com'), rr('api.example.com', 30, 'A', '198.51.100.30')],
        '202.32.0.0/24/16',
      ],
      ['TW, through a wildcard CNAME', { name: 'x.tenants.example.com', type: 'A', options: [TW] }, [CNAME('x.tenants.example.com', 'api.example.com'), rr('api.example.com', 30, 'A', '198.51.100.10')], '1.34.5.0/24/22'],
      [
        'JP, a longer name through the same wildcard',
        { name: 'customer-4711.eu.tenants.example.com', type: 'AAAA', options: [JP] },
        [CNAME('customer-4711.eu.tenants.example.com', 'api.example.com'), rr('api.example.com', 30, 'AAAA', '2001:db8:3::30')],
        '202.32.0.0/24/16',
      ],
      ['JP, to a steered wildcard', { name: 'to-edge.example.com', type: 'A', options: [JP] }, [CNAME('to-edge.example.com', 'foo.edge.example.com'), rr('foo.edge.example.com', 30, 'A', '198.51.100.30')], '202.32.0.0/24/16'],
    ];
    for (const [label, query, answer, subnet] of cases) {
      it(label, async () => {
        const r = await ask(query.name, query.type, ...query.options!);
        expect([r.status, r.aa, r.tc]).toEqual(['NOERROR', true, false]);
        expect(r.answer).toEqual([...answer].sort());
        expect([r.authority, r.additional]).toEqual([[], []]);
        expect(r.clientSubnet).toBe(subnet);
      });
    }

    it('with the scope the steered name itself gets for that client', async () => {
      const [direct, chained] = await digBatch(server.port, [{ name: 'api.example.com', type: 'A', options: [US] }, { name: 'chain.example.com', type: 'A', options: [US] }], 'udp');
      expect(chained.clientSubnet).toBe(direct.clientSubnet);
      expect(chained.answer.filter((r) => r.startsWith('api.'))).toEqual(direct.answer);
      expect(direct.answer).toEqual([rr('api.example.com', 30, 'A', '198.51.100.40')]);
    });

    it('the same over TCP', async () => {
      const [r] = await digBatch(server.port, [{ name: 'chain.example.com', type: 'AAAA', options: [TW] }], 'tcp');
      expect(r.answer).toEqual([CNAME('chain.example.com', 'www.example.com'), CNAME('www.example.com', 'api.example.com'), rr('api.example.com', 30, 'AAAA', '2001:db8:1::10')].sort());
    });

    it('static data of the steered name follows the CNAME, with scope 0', async () => {
      const r = await ask('www.example.com', 'TXT', JP);
      expect(r.answer).toEqual([CNAME('www.example.com', 'api.example.com'), rr('api.example.com', 3600, 'TXT', '"hello"')].sort());
      expect(r.clientSubnet).toBe('202.32.0.0/24/0');
    });

    it('no data of the asked type: the CNAME and the SOA (RFC 2308 2.2)', async () => {
      for (const r of [await ask('www.example.com', 'MX', JP), await ask('tov4.example.com', 'AAAA', JP)]) {
        expect(r.status).toBe('NOERROR');
        expect(r.answer).toHaveLength(1);
        expect(r.authority).toEqual([SOA]);
      }
      expect((await ask('tov4.example.com', 'A', JP)).answer).toEqual([CNAME('tov4.example.com', 'v4.example.com'), rr('v4.example.com', 30, 'A', '198.51.100.50')].sort());
    });

    it('a CNAME query and ANY get the CNAME alone', async () => {
      for (const type of ['CNAME', 'ANY']) expect((await ask('www.example.com', type, TW)).answer).toEqual([CNAME('www.example.com', 'api.example.com')]);
    });

    it('a CNAME region answers after the chain for every type', async () => {
      for (const type of ['A', 'MX']) {
        const r = await ask('tocdn.example.com', type, TW);
        expect(r.answer).toEqual([CNAME('tocdn.example.com', 'cdn.example.com'), rr('cdn.example.com', 30, 'CNAME', 'edge.cdn.example.net.')].sort());
      }
    });
  });

  describe('a steered wildcard answers every name below it that has no node', () => {
    it('by the client\'s country, owned by the name asked', async () => {
      expect((await ask('a.edge.example.com', 'A', JP)).answer).toEqual([rr('a.edge.example.com', 30, 'A', '198.51.100.30')]);
      expect((await ask('b.c.edge.example.com', 'AAAA', US)).answer).toEqual([rr('b.c.edge.example.com', 30, 'AAAA', '2001:db8:4::40')]);
      expect((await ask('*.edge.example.com', 'A', US)).answer).toEqual([rr('*.edge.example.com', 30, 'A', '198.51.100.40')]);
    });

    it('not names that exist: a static name below it, and its parent (an empty non-terminal)', async () => {
      for (const name of ['static.edge.example.com', 'edge.example.com']) {
        const r = await ask(name, 'A', JP);
        expect([r.status, r.answer, r.authority]).toEqual(['NOERROR', [], [SOA]]);
      }
      expect((await ask('static.edge.example.com', 'TXT')).answer).toEqual([rr('static.edge.example.com', 3600, 'TXT', '"static"')]);
    });
  });

  describe('HTTPS with ipv4hint=steered / ipv6hint=steered', () => {
    const https = (owner: string, ttl: number, params: string) => rr(owner, ttl, 'HTTPS', `1 . ${params}`);
    it('carries the addresses of the region the client is steered to', async () => {
      expect((await ask('api.example.com', 'HTTPS', TW)).answer).toEqual([https('api.example.com', 3600, 'alpn="h2,h3" ipv4hint=198.51.100.10 ipv6hint=2001:db8:1::10')]);
      const jp = await ask('api.example.com', 'HTTPS', JP);
      expect(jp.answer).toEqual([https('api.example.com', 3600, 'alpn="h2,h3" ipv4hint=198.51.100.30 ipv6hint=2001:db8:3::30')]);
      expect(jp.clientSubnet).toBe('202.32.0.0/24/16');
    });

    it('after a CNAME chain, and through a wildcard CNAME', async () => {
      expect((await ask('www.example.com', 'HTTPS', JP)).answer).toEqual(
        [CNAME('www.example.com', 'api.example.com'), https('api.example.com', 3600, 'alpn="h2,h3" ipv4hint=198.51.100.30 ipv6hint=2001:db8:3::30')].sort(),
      );
      expect((await ask('x.tenants.example.com', 'HTTPS', TW)).answer).toEqual(
        [CNAME('x.tenants.example.com', 'api.example.com'), https('api.example.com', 3600, 'alpn="h2,h3" ipv4hint=198.51.100.10 ipv6hint=2001:db8:1::10')].sort(),
      );
    });

    it('leaves out the hint of a family the region has no address of', async () => {
      expect((await ask('v4.example.com', 'HTTPS', JP)).answer).toEqual([https('v4.example.com', 3600, 'alpn="h2" ipv4hint=198.51.100.50')]);
    });
  });
});
