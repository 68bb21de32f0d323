import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digBatch, type DigQuery, type DigReply } from '../support/dig-batch.js';
import { startKnot, type KnotServer } from '../support/knot-server.js';
import { describeWithTool } from '../support/system-tool.js';
import { startServer, type TestServer } from '../support/test-server.js';

// The same zone files served by geosteer (the production wiring) and by Knot, asked the
// same questions by dig: rcode, AA, TC and the three sections (as sets of records, TTLs
// included) must be the same, and no geosteer reply longer than Knot's (name compression).
// Where geosteer answers differently by design, the difference is written out below and
// asserted exactly.

const ZONES = [
  { name: 'example.com', file: 'config/zones/example.com.zone' },
  { name: 'example.org', file: 'test/fixtures/differential/example.org.zone' },
  { name: 'kid.example.org', file: 'test/fixtures/differential/kid.example.org.zone' },
];

const q = (name: string, type: string, ...options: string[]): DigQuery => ({ name, type, options });

const UDP: DigQuery[] = [
  // every record type of example.com, the apex, ANY (RFC 8482: one RRset), outside our zones
  ...['SOA', 'NS', 'MX', 'TXT', 'CAA', 'NAPTR', 'ANY', 'A', 'DS'].map((t) => q('example.com', t)),
  ...['A', 'AAAA', 'HTTPS', 'ANY'].map((t) => q('web.example.com', t)),
  q('www.example.com', 'A'), q('www.example.com', 'HTTPS'), q('www.example.com', 'CNAME'),
  q('alias.example.com', 'HTTPS'), q('_8443._https.web.example.com', 'SVCB'), q('_sip._tcp.example.com', 'SRV'),
  q('host-80.example.com', 'PTR'), q('notes.example.com', 'TXT'), q('generic.example.com', 'TXT'),
  q('opaque.example.com', 'TYPE65534'), q('mail.example.com', 'A'), q('mail.example.com', 'AAAA'), q('ns1.example.com', 'AAAA'),
  q('nope.example.com', 'A'), q('x.wild.example.com', 'A'), q('sub.example.com', 'DS'), q('sub.example.com', 'NS'),
  q('x.sub.example.com', 'AAAA'), q('ns.sub.example.com', 'A'), q('example.net', 'A'),
  // chains: hops, NODATA and NXDOMAIN at the end, out of our zones, loops, the apex, the limit
  ...['A', 'AAAA', 'MX', 'CNAME', 'ANY', 'TXT'].map((t) => q('c1.example.org', t)),
  q('c2.example.org', 'A'), q('dangling.example.org', 'A'), q('dangling.example.org', 'CNAME'), q('out.example.org', 'A'),
  q('cross.example.org', 'A'), q('loop1.example.org', 'A'), q('self.example.org', 'A'), q('l1.example.org', 'A'),
  ...['A', 'NS', 'SOA'].map((t) => q('toapex.example.org', t)),
  // wildcards: synthesis, deeper names, NODATA, the wildcard's parent, existing names, the literal *, ENTs
  q('x.wild.example.org', 'A'), q('x.wild.example.org', 'TXT'), q('a.b.wild.example.org', 'TXT'), q('x.wild.example.org', 'MX'),
  q('x.wild.example.org', 'ANY'), q('wild.example.org', 'A'), q('exists.wild.example.org', 'A'), q('exists.wild.example.org', 'TXT'),
  q('*.wild.example.org', 'A'), q('z.ent.example.org', 'A'), q('x.ent.example.org', 'A'), q('y.x.ent.example.org', 'A'),
  q('deep.x.ent.example.org', 'A'), q('x.wc.example.org', 'A'), q('x.wc.example.org', 'CNAME'), q('x.wc.example.org', 'MX'),
  q('towild.example.org', 'A'), q('toent.example.org', 'A'),
  // delegations: referrals at and below cuts, DS at the cut, glue, a chain into a cut, a wildcard above one
  q('deleg.example.org', 'A'), q('deleg.example.org', 'NS'), q('deleg.example.org', 'DS'), q('x.deleg.example.org', 'A'),
  q('x.deleg.example.org', 'DS'), q('ns.deleg.example.org', 'A'), q('nods.example.org', 'DS'), q('nods.example.org', 'A'),
  q('todeleg.example.org', 'A'), q('y.zw.example.org', 'A'), q('x.d.zw.example.org', 'A'), q('d.zw.example.org', 'DS'),
  // a child zone we serve too: DS from the parent, everything else from the child
  q('kid.example.org', 'DS'), q('kid.example.org', 'NS'), q('kid.example.org', 'SOA'), q('www.kid.example.org', 'A'), q('nope.kid.example.org', 'A'),
  // additional-section addresses, negative answers, truncation
  q('mx.example.org', 'MX'), q('_x._tcp.example.org', 'SRV'), q('nope.example.org', 'A'), q('ns1.example.org', 'MX'), q('example.org', 'ANY'),
  q('big.example.org', 'TXT'), q('big.example.org', 'TXT', '+noedns', '+ignore'),
];
const TCP: DigQuery[] = [q('big.example.org', 'TXT', '+noedns'), q('c1.example.org', 'A'), q('x.wc.example.org', 'A'), q('nope.example.org', 'A'), q('deleg.example.org', 'A')];

const SIBLING_GLUE = /^ns1\.example\.org\. /;
/** Where geosteer's reply differs from Knot's by design: Knot's reply turned into geosteer's. */
const BY_DESIGN: Record<string, { readonly why: string; readonly expected: (knot: DigReply) => DigReply }> = {
  'cross.example.org. IN A': {
    why: 'chains are followed into every zone geosteer serves (RFC 1034 4.3.2 step 3a); Knot stays in the zone',
    expected: (k) => ({ ...k, answer: [...k.answer, 'www.example.com. 3600 IN CNAME web.example.com.', 'web.example.com. 3600 IN A 192.0.2.80'].sort() }),
  },
  'l1.example.org. IN A': {
    why: 'geosteer follows 8 CNAME records (CNAME_CHAIN_LIMIT), Knot 5',
    expected: (k) => ({ ...k, answer: [...k.answer, ...[6, 7, 8].map((i) => `l${i}.example.org. 3600 IN CNAME l${i + 1}.example.org.`)].sort() }),
  },
  ...Object.fromEntries(
    ['deleg.example.org. IN A', 'x.deleg.example.org. IN A', 'x.deleg.example.org. IN DS', 'ns.deleg.example.org. IN A', 'todeleg.example.org. IN A', 'deleg.example.org. IN NS'].map((question) => [
      question,
      {
        why: 'referrals carry in-domain glue only (RFC 9471 2.1: name servers at or below the cut); Knot adds the sibling ns1.example.org',
        expected: (k: DigReply) => ({ ...k, additional: k.additional.filter((r) => !SIBLING_GLUE.test(r)) }),
      },
    ]),
  ),
};

/** A reply without its size, for comparing contents. */
function contents(r: DigReply): Omit<DigReply, 'size'> {
  const { size: _size, ...rest } = r;
  return rest;
}

describeWithTool('geosteer and Knot answer the same zones alike', { command: 'knotd', versionArgs: ['--version'], apt: 'knot' }, () => {
  describeWithTool('(asked by dig)', { command: 'dig', versionArgs: ['-v'], apt: 'dnsutils' }, () => {
    let knot: KnotServer;
    let server: TestServer;
    const replies = new Map<string, { ours: DigReply; knot: DigReply }>();
    beforeAll(async () => {
      knot = await startKnot(ZONES);
      server = await startServer({ zones: ZONES, regions: { r: { endpoints: [{ address: '192.0.2.1' }] } } });
      for (const [transport, queries] of [['udp', UDP], ['tcp', TCP]] as const) {
        const [ours, theirs] = await Promise.all([digBatch(server.port, queries, transport), digBatch(knot.port, queries, transport)]);
        queries.forEach((query, i) => replies.set(`${transport} ${ours[i].question}${query.options?.length ? ` ${query.options.join(' ')}` : ''}`, { ours: ours[i], knot: theirs[i] }));
      }
    }, 30_000);
    afterAll(async () => {
      await server?.close();
      await knot?.stop();
    });

    it('every query got a reply from both', () => {
      expect(replies.size).toBe(UDP.length + TCP.length);
    });

    for (const [transport, queries] of [['udp', UDP], ['tcp', TCP]] as const) {
      for (const query of queries) {
        const question = `${query.name.toLowerCase()}. IN ${query.type}`;
        const key = `${transport} ${question}${query.options?.length ? ` ${query.options.join(' ')}` : ''}`;
        const design = BY_DESIGN[question];
        it(`${key}${design ? ` (by design: ${design.why})` : ''}`, () => {
          const { ours, knot: theirs } = replies.get(key)!;
          expect(contents(ours)).toEqual(contents(design ? design.expected(theirs) : theirs));
          if (!design) expect(ours.size).toBeLessThanOrEqual(theirs.size);
        });
      }
    }

    describe('the differences by design are real differences', () => {
      for (const question of Object.keys(BY_DESIGN)) {
        it(question, () => {
          const { ours, knot: theirs } = replies.get(`udp ${question}`)!;
          expect(contents(ours)).not.toEqual(contents(theirs));
        });
      }
    });
  });
});
