import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeName } from '../../src/config/rdata/type-codes.js';
import { CNAME_CHAIN_LIMIT } from '../../src/dns/cname-chain.js';
import { ask, type Reply } from '../support/dns-client.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// How static zone data resolves, over real UDP and TCP with dns2's client (always run; the
// differential test compares the same rules with Knot when knotd is installed): CNAME
// chains (RFC 1034 4.3.2, RFC 2308 2.2, RFC 6604), wildcards (RFC 4592), referrals with
// in-domain glue (RFC 9471) and DS at the parent side of a cut (RFC 4035 3.1.4.1).

const { Packet } = dns2;
const T = Packet.TYPE;
let server: TestServer;

beforeAll(async () => {
  const doc = exampleDocument();
  const records = [
    ['c1', 'CNAME', 'c2.example.com.'],
    ['c2', 'CNAME', 'mail.example.com.'],
    ['dangling', 'CNAME', 'nothere.example.com.'],
    ['loop1', 'CNAME', 'loop2.example.com.'],
    ['loop2', 'CNAME', 'loop1.example.com.'],
    ['cross', 'CNAME', 'www.kid.example.com.'],
    ['todeleg', 'CNAME', 'host.deleg.example.com.'],
    ['*.wild', 'A', '192.0.2.99'],
    ['exists.wild', 'TXT', 'real'],
    ['*.ent', 'A', '192.0.2.50'],
    ['deep.x.ent', 'A', '192.0.2.51'],
    ['*.wc', 'CNAME', 'c1.example.com.'],
    ['deleg', 'NS', 'ns.deleg.example.com.'],
    ['deleg', 'NS', 'ns1.example.com.'],
    ['deleg', 'DS', '60485 13 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A'],
    ['ns.deleg', 'A', '192.0.2.70'],
    ['*.deleg', 'A', '192.0.2.77'],
    ['nods', 'NS', 'ns.example.net.'],
    ['kid', 'NS', 'ns1.example.com.'],
    ['kid', 'DS', '12345 13 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A'],
    ...Array.from({ length: CNAME_CHAIN_LIMIT + 2 }, (_, i) => [`l${i}`, 'CNAME', `l${i + 1}.example.com.`]),
  ];
  doc.zones[0].records.push(...records.map(([name, type, value]) => ({ name, type, value })));
  doc.zones.push({
    name: 'kid.example.com',
    soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 7, minimum: 600 },
    ns: ['ns1.example.com'],
    records: [{ name: 'www', type: 'A', value: '192.0.2.91' }],
  });
  server = await startServer(doc);
});
afterAll(() => server.close());

const DS = 43;
const answers = (r: Reply) => r.packet.answers.map((a) => `${a.name} ${typeName(a.type)}`);
const authority = (r: Reply) => r.packet.authorities.map((a) => `${a.name} ${typeName(a.type)}`);
const additional = (r: Reply) => r.packet.additionals.filter((a) => a.type !== T.EDNS).map((a) => `${a.name} ${typeName(a.type)}`);

describe('CNAME chains inside our zones', () => {
  it('are followed to the data, every CNAME in the answer', async () => {
    const r = await ask(server.port, { name: 'c1.example.com', type: 'A' });
    expect(answers(r)).toEqual(['c1.example.com CNAME', 'c2.example.com CNAME', 'mail.example.com A']);
    expect(r.answers).toEqual(['c2.example.com', 'mail.example.com', '192.0.2.25']);
  });

  it('end with the target zone\'s SOA when the last name has no data of the type (RFC 2308 2.2)', async () => {
    const r = await ask(server.port, { name: 'c1.example.com', type: 'TXT' });
    expect([r.rcode, answers(r), authority(r)]).toEqual([0, ['c1.example.com CNAME', 'c2.example.com CNAME'], ['example.com SOA']]);
  });

  it('end in NXDOMAIN with the CNAMEs when the last name does not exist (RFC 6604)', async () => {
    const r = await ask(server.port, { name: 'dangling.example.com', type: 'A' });
    expect([r.rcode, r.aa, answers(r), authority(r)]).toEqual([3, true, ['dangling.example.com CNAME'], ['example.com SOA']]);
  });

  it('stop at a loop with the records so far, NOERROR', async () => {
    const r = await ask(server.port, { name: 'loop1.example.com', type: 'A' });
    expect([r.rcode, answers(r), authority(r)]).toEqual([0, ['loop1.example.com CNAME', 'loop2.example.com CNAME'], []]);
  });

  it(`stop after ${CNAME_CHAIN_LIMIT} records, NOERROR`, async () => {
    const r = await ask(server.port, { name: 'l0.example.com', type: 'A' });
    expect([r.rcode, answers(r), authority(r)]).toEqual([0, Array.from({ length: CNAME_CHAIN_LIMIT }, (_, i) => `l${i}.example.com CNAME`), []]);
  });

  it('cross into another zone we serve, whose SOA a negative end carries', async () => {
    expect(answers(await ask(server.port, { name: 'cross.example.com', type: 'A' }))).toEqual(['cross.example.com CNAME', 'www.kid.example.com A']);
    const r = await ask(server.port, { name: 'cross.example.com', type: 'MX' });
    expect(authority(r)).toEqual(['kid.example.com SOA']);
    expect((r.packet.authorities[0] as unknown as { ttl: number }).ttl).toBe(600); // min(SOA TTL 3600, MINIMUM 600)
  });

  it('into a delegation: the CNAME (AA) and the referral', async () => {
    const r = await ask(server.port, { name: 'todeleg.example.com', type: 'A' });
    expect([r.aa, answers(r), authority(r), additional(r)]).toEqual([true, ['todeleg.example.com CNAME'], ['deleg.example.com NS', 'deleg.example.com NS'], ['ns.deleg.example.com A']]);
  });
});

describe('wildcards (RFC 4592)', () => {
  it('synthesise answers owned by the name asked, letter case kept', async () => {
    for (const name of ['x.wild.example.com', 'A.b.C.Wild.example.com']) {
      const r = await ask(server.port, { name, type: 'A' });
      expect([r.rcode, r.aa, answers(r), r.answers]).toEqual([0, true, [`${name} A`], ['192.0.2.99']]);
    }
  });

  it('NODATA at a wildcard for a type it lacks, with the SOA', async () => {
    const r = await ask(server.port, { name: 'x.wild.example.com', type: 'MX' });
    expect([r.rcode, answers(r), authority(r)]).toEqual([0, [], ['example.com SOA']]);
  });

  it('not for names that exist, nor below an empty non-terminal that has no wildcard of its own', async () => {
    const exists = await ask(server.port, { name: 'exists.wild.example.com', type: 'A' });
    expect([exists.rcode, answers(exists)]).toEqual([0, []]);
    const blocked = await ask(server.port, { name: 'y.x.ent.example.com', type: 'A' });
    expect([blocked.rcode, authority(blocked)]).toEqual([3, ['example.com SOA']]);
    expect((await ask(server.port, { name: 'z.ent.example.com', type: 'A' })).answers).toEqual(['192.0.2.50']);
  });

  it('a wildcard CNAME is synthesised and its chain followed', async () => {
    const r = await ask(server.port, { name: 'tenant-1.wc.example.com', type: 'A' });
    expect(answers(r)).toEqual(['tenant-1.wc.example.com CNAME', 'c1.example.com CNAME', 'c2.example.com CNAME', 'mail.example.com A']);
  });

  it('do not apply at or below a delegation: the referral does', async () => {
    const r = await ask(server.port, { name: 'x.deleg.example.com', type: 'A' });
    expect([r.rcode, r.aa, answers(r), authority(r)]).toEqual([0, false, [], ['deleg.example.com NS', 'deleg.example.com NS']]);
  });
});

describe('delegations and DS', () => {
  it('a referral carries NS and in-domain glue only, no SOA, AA off (RFC 9471)', async () => {
    for (const name of ['deleg.example.com', 'a.b.deleg.example.com', 'ns.deleg.example.com']) {
      const r = await ask(server.port, { name, type: 'A' });
      expect([r.rcode, r.aa, answers(r), authority(r), additional(r)]).toEqual([0, false, [], ['deleg.example.com NS', 'deleg.example.com NS'], ['ns.deleg.example.com A']]);
    }
  });

  it('DS at the cut is answered by the parent, authoritatively (RFC 4035 3.1.4.1)', async () => {
    const r = await ask(server.port, { name: 'deleg.example.com', type: DS });
    expect([r.rcode, r.aa, answers(r), authority(r)]).toEqual([0, true, ['deleg.example.com DS'], []]);
    const none = await ask(server.port, { name: 'nods.example.com', type: DS });
    expect([none.rcode, none.aa, answers(none), authority(none)]).toEqual([0, true, [], ['example.com SOA']]);
    const below = await ask(server.port, { name: 'x.deleg.example.com', type: DS });
    expect([below.aa, authority(below)]).toEqual([false, ['deleg.example.com NS', 'deleg.example.com NS']]);
  });

  it('a child zone we serve answers for itself, but DS at its apex comes from the parent', async () => {
    const ns = await ask(server.port, { name: 'kid.example.com', type: 'NS' });
    expect([ns.aa, answers(ns)]).toEqual([true, ['kid.example.com NS']]);
    const ds = await ask(server.port, { name: 'kid.example.com', type: DS, transport: 'tcp' });
    expect([ds.aa, answers(ds)]).toEqual([true, ['kid.example.com DS']]);
    const nx = await ask(server.port, { name: 'nope.kid.example.com', type: 'A' });
    expect([nx.rcode, authority(nx)]).toEqual([3, ['kid.example.com SOA']]);
  });
});
