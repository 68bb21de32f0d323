import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../src/sync/dns-record.js';
import { planChanges, recordsAdded, type Changes, type SyncMode } from '../../src/sync/plan.js';
import { ownerComment, parseRegistryRecord, registryContent, registryName } from '../../src/sync/registry.js';

const ME = 'geo-prod';
const MINE = ownerComment(ME);
let nextId = 1;
let clock = 0;
const rec = (name: string, type: DnsRecord['type'], content: string, extra: Partial<DnsRecord> = {}): DnsRecord => ({ name, type, content, ttl: 60, proxied: false, ...extra });
/** A record as listed: an id, our comment, a creation time one second after the previous one. */
const cur = (name: string, type: DnsRecord['type'], content: string, extra: Partial<DnsRecord> = {}): DnsRecord =>
  rec(name, type, content, { id: `id-${nextId++}`, comment: MINE, createdOn: new Date(Date.UTC(2026, 0, 1) + 1000 * clock++).toISOString(), ...extra });
const reg = (name: string, type: DnsRecord['type'], owner = ME, extra: Partial<DnsRecord> = {}): DnsRecord =>
  cur(registryName(name, type), 'TXT', registryContent(owner, name, type), { ttl: 1, comment: ownerComment(owner), ...extra });

const TW = 'taiwan.api.example.com';
const short = (r: DnsRecord) => `${r.type} ${r.name} ${r.content}`;
function summary(c: Changes) {
  return {
    claims: c.claims.map(short).sort(),
    awaiting: c.awaitingClaim.map(short).sort(),
    creates: c.creates.map(short).sort(),
    updates: c.updates.map((u) => `${u.before.id}: ${short(u.before)} ttl=${u.before.ttl} -> ${short(u.after)} ttl=${u.after.ttl}`).sort(),
    deletes: c.deletes.map(short).sort(),
    conflicts: c.conflicts.map((x) => `${x.type} ${x.name}: ${x.reason} [${x.existing.map(short).join(', ')}]`),
    noops: c.noops.length,
  };
}
const none = { claims: [], awaiting: [], creates: [], updates: [], deletes: [], conflicts: [], noops: 0 };
const regTxt = (name: string, type: DnsRecord['type'], owner = ME) => `TXT ${registryName(name, type)} ${registryContent(owner, name, type)}`;

interface Row {
  label: string;
  mode?: SyncMode;
  current: () => DnsRecord[];
  desired: DnsRecord[];
  expected: ReturnType<typeof summary>;
}

const rows: Row[] = [
  {
    label: 'a free name is claimed first: the registry TXT now, its records after the re-read',
    current: () => [],
    desired: [rec(TW, 'A', '198.51.100.10'), rec(TW, 'A', '198.51.100.11')],
    expected: { ...none, claims: [regTxt(TW, 'A')], awaiting: [`A ${TW} 198.51.100.10`, `A ${TW} 198.51.100.11`] },
  },
  {
    label: 'a claimed name without records yet: the records are created',
    current: () => [reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, creates: [`A ${TW} 198.51.100.10`] },
  },
  {
    label: 'no-op: owned and identical',
    current: () => [cur(TW, 'A', '198.51.100.10'), reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, noops: 1 },
  },
  {
    label: 'update: changed TTL keeps the record',
    current: () => [cur(TW, 'A', '198.51.100.10', { ttl: 300, id: 'a1' }), reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, updates: [`a1: A ${TW} 198.51.100.10 ttl=300 -> A ${TW} 198.51.100.10 ttl=60`] },
  },
  {
    label: 'update: a changed address reuses the old record id',
    current: () => [cur(TW, 'A', '198.51.100.10', { id: 'a1' }), reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.99')],
    expected: { ...none, updates: [`a1: A ${TW} 198.51.100.10 ttl=60 -> A ${TW} 198.51.100.99 ttl=60`] },
  },
  {
    label: 'sync: an address gone from the desired set is deleted',
    current: () => [cur(TW, 'A', '198.51.100.10'), cur(TW, 'A', '198.51.100.11'), reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, deletes: [`A ${TW} 198.51.100.11`], noops: 1 },
  },
  {
    label: 'upsert-only (finding 8): inside a set we keep, our own stale address still goes',
    mode: 'upsert-only',
    current: () => [cur('api.example.com', 'A', '198.51.100.11'), cur('api.example.com', 'A', '198.51.100.30'), reg('api.example.com', 'A')],
    desired: [rec('api.example.com', 'A', '198.51.100.30')],
    expected: { ...none, deletes: ['A api.example.com 198.51.100.11'], noops: 1 },
  },
  {
    label: 'sync: a whole owned set no longer desired goes, registry included',
    current: () => [cur(TW, 'A', '198.51.100.10'), reg(TW, 'A')],
    desired: [],
    expected: { ...none, deletes: [`A ${TW} 198.51.100.10`, regTxt(TW, 'A')] },
  },
  {
    label: 'upsert-only: a whole set no longer desired stays',
    mode: 'upsert-only',
    current: () => [cur(TW, 'A', '198.51.100.10'), reg(TW, 'A')],
    desired: [],
    expected: none,
  },
  {
    label: 'finding 1: a hand-made record inside our set is reported and never touched; ours are still managed',
    current: () => [cur('tokyo.api.example.com', 'A', '198.51.100.30', { id: 'ours' }), reg('tokyo.api.example.com', 'A'), cur('tokyo.api.example.com', 'A', '203.0.113.99', { id: 'hand', comment: 'not ours' })],
    desired: [rec('tokyo.api.example.com', 'A', '198.51.100.31')],
    expected: {
      ...none,
      updates: ['ours: A tokyo.api.example.com 198.51.100.30 ttl=60 -> A tokyo.api.example.com 198.51.100.31 ttl=60'],
      conflicts: ["A tokyo.api.example.com: 1 record(s) in this set were not created by geosteer (no owner comment); left alone, geosteer's own are managed [A tokyo.api.example.com 203.0.113.99]"],
    },
  },
  {
    label: 'a hand-made record that already holds a desired address: served, not duplicated, reported',
    current: () => [reg('tokyo.api.example.com', 'A'), cur('tokyo.api.example.com', 'A', '198.51.100.30', { comment: undefined })],
    desired: [rec('tokyo.api.example.com', 'A', '198.51.100.30')],
    expected: { ...none, conflicts: ["A tokyo.api.example.com: 1 record(s) in this set were not created by geosteer (no owner comment); left alone, geosteer's own are managed [A tokyo.api.example.com 198.51.100.30]"] },
  },
  {
    label: 'conflict: records at a free name (no registry entry, no comment) are not claimed over',
    current: () => [cur(TW, 'A', '203.0.113.7', { comment: undefined })],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, conflicts: [`A ${TW}: 1 record(s) here were not created by geosteer; left alone [A ${TW} 203.0.113.7]`] },
  },
  {
    label: 'conflict: our comment without a registry entry is not ownership (it says how to repair)',
    current: () => [cur(TW, 'A', '198.51.100.10')],
    desired: [rec(TW, 'A', '198.51.100.12')],
    expected: { ...none, conflicts: [`A ${TW}: 1 record(s) here carry geosteer's comment but no registry entry names them (restore the registry TXT or delete them by hand); left alone [A ${TW} 198.51.100.10]`] },
  },
  {
    label: 'finding 4: another owner claimed first: conflict, and our later claim is withdrawn',
    current: () => [reg(TW, 'A', 'geo-staging'), reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, deletes: [regTxt(TW, 'A')], conflicts: [`A ${TW}: claimed first by geosteer owner "geo-staging" (registry ${registryName(TW, 'A')}) []`] },
  },
  {
    label: 'finding 4: our claim came first: the later foreign claim is not ours to touch, we proceed',
    current: () => [reg(TW, 'A'), reg(TW, 'A', 'geo-staging')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, creates: [`A ${TW} 198.51.100.10`] },
  },
  {
    label: 'claims created in the same instant: sub-second digits decide, then the record id',
    current: () => [
      reg(TW, 'A', 'geo-staging', { createdOn: '2026-01-01T00:00:00.123457Z', id: 'a' }),
      reg(TW, 'A', ME, { createdOn: '2026-01-01T00:00:00.123456Z', id: 'z' }),
      reg('tokyo.api.example.com', 'A', 'geo-staging', { createdOn: '2026-01-01T00:00:00.5Z', id: 'b' }),
      reg('tokyo.api.example.com', 'A', ME, { createdOn: '2026-01-01T00:00:00.500Z', id: 'c' }),
    ],
    desired: [rec(TW, 'A', '198.51.100.10'), rec('tokyo.api.example.com', 'A', '198.51.100.30')],
    expected: {
      ...none,
      creates: [`A ${TW} 198.51.100.10`],
      deletes: [regTxt('tokyo.api.example.com', 'A')],
      conflicts: ['A tokyo.api.example.com: claimed first by geosteer owner "geo-staging" (registry _geosteer-a.tokyo.api.example.com) []'],
    },
  },
  {
    label: 'finding 10: an ExternalDNS claim (a-<name>) makes the name foreign; nothing there is touched',
    current: () => [cur(`a-${TW}`, 'TXT', '"heritage=external-dns,external-dns/owner=k8s,external-dns/resource=ingress/web/api"', { comment: undefined }), reg(TW, 'A'), cur(TW, 'A', '198.51.100.10')],
    desired: [rec(TW, 'A', '198.51.100.12')],
    expected: { ...none, conflicts: [`A ${TW}: claimed by ExternalDNS owner "k8s" (TXT a-${TW}) [A ${TW} 198.51.100.10]`] },
  },
  {
    label: 'finding 10: the legacy ExternalDNS form (TXT at the name itself) too',
    current: () => [cur(TW, 'TXT', '"heritage=external-dns,external-dns/owner=default"', { comment: undefined })],
    desired: [rec(TW, 'AAAA', '2001:db8:1::10')],
    expected: { ...none, conflicts: [`AAAA ${TW}: claimed by ExternalDNS owner "default" (TXT ${TW}) []`] },
  },
  {
    label: 'names nobody wants are not in the plan at all, whoever holds them',
    current: () => [cur('www.api.example.com', 'A', '203.0.113.9', { comment: undefined }), cur('other.api.example.com', 'TXT', '"hello"', { comment: 'someone' }), reg('x.api.example.com', 'A', 'geo-staging')],
    desired: [],
    expected: none,
  },
  {
    label: 'conflict: desired A where a foreign CNAME lives',
    current: () => [cur(TW, 'CNAME', 'lb.elsewhere.example.net', { comment: undefined })],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, conflicts: [`A ${TW}: a CNAME cannot share its name with other records; ${TW} has CNAME records geosteer may not remove [CNAME ${TW} lb.elsewhere.example.net]`] },
  },
  {
    label: 'sync: our own A set makes way for a desired CNAME',
    current: () => [cur(TW, 'A', '198.51.100.10'), reg(TW, 'A')],
    desired: [rec(TW, 'CNAME', 'tw-lb.example.net')],
    expected: { ...none, creates: [`CNAME ${TW} tw-lb.example.net`, regTxt(TW, 'CNAME')], deletes: [`A ${TW} 198.51.100.10`, regTxt(TW, 'A')] },
  },
  {
    label: 'upsert-only: our old A set blocks a desired CNAME (it may not be deleted)',
    mode: 'upsert-only',
    current: () => [cur(TW, 'A', '198.51.100.10'), reg(TW, 'A')],
    desired: [rec(TW, 'CNAME', 'tw-lb.example.net')],
    expected: { ...none, conflicts: [`CNAME ${TW}: a CNAME cannot share its name with other records; ${TW} has A records geosteer may not remove [A ${TW} 198.51.100.10]`] },
  },
  {
    label: 'finding 7: canonical content: AAAA spelling, CNAME case and dot, TXT quoting are no changes',
    current: () => [
      cur(TW, 'AAAA', '2001:db8:1::10'),
      reg(TW, 'AAAA', ME, { content: `heritage=geosteer,geosteer/owner=${ME},geosteer/resource=${TW}/AAAA` }),
      cur('tokyo.api.example.com', 'CNAME', 'jp-lb.example.net'),
      reg('tokyo.api.example.com', 'CNAME'),
    ],
    desired: [rec(TW, 'AAAA', '2001:DB8:1:0:0:0:0:10'), rec('tokyo.api.example.com', 'CNAME', 'JP-LB.Example.NET.')],
    expected: { ...none, noops: 2 },
  },
  {
    label: 'a duplicate claim of ours is tidied away',
    current: () => [reg(TW, 'A'), cur(TW, 'A', '198.51.100.10'), reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, deletes: [regTxt(TW, 'A')], noops: 1 },
  },
];

describe('planChanges (table)', () => {
  for (const row of rows) {
    it(row.label, () => {
      const changes = planChanges(row.current(), row.desired, { mode: row.mode ?? 'sync', ownerId: ME });
      expect(summary(changes)).toEqual(row.expected);
      for (const r of [...changes.claims, ...changes.awaitingClaim, ...changes.creates, ...changes.updates.map((u) => u.after)]) expect(r.comment).toBe(MINE);
    });
  }

  it('writes canonical content', () => {
    const changes = planChanges([reg(TW, 'AAAA')], [rec(TW, 'AAAA', '2001:DB8:1:0:0:0:0:10')], { mode: 'sync', ownerId: ME });
    expect(changes.creates.map((r) => r.content)).toEqual(['2001:db8:1::10']);
  });

  it('counts the records a plan adds (claims, their records, creates, minus deletes)', () => {
    const changes = planChanges([cur('old.api.example.com', 'A', '198.51.100.1'), reg('old.api.example.com', 'A')], [rec(TW, 'A', '198.51.100.10'), rec(TW, 'AAAA', '2001:db8:1::10')], { mode: 'sync', ownerId: ME });
    expect(recordsAdded(changes)).toBe(2 + 2 - 2);
  });

  it('is pure: same input, same output, inputs untouched', () => {
    const current = [cur(TW, 'A', '198.51.100.10', { ttl: 300 }), reg(TW, 'A')];
    const frozen = JSON.stringify(current);
    const a = planChanges(current, [rec(TW, 'A', '198.51.100.10')], { mode: 'sync', ownerId: ME });
    const b = planChanges(current, [rec(TW, 'A', '198.51.100.10')], { mode: 'sync', ownerId: ME });
    expect(a).toEqual(b);
    expect(JSON.stringify(current)).toBe(frozen);
  });
});

describe('registry format', () => {
  it('round-trips and ignores ExternalDNS and foreign TXT records', () => {
    const r = rec(registryName(TW, 'AAAA'), 'TXT', registryContent(ME, TW, 'AAAA'));
    expect(r.name).toBe('_geosteer-aaaa.taiwan.api.example.com');
    expect(r.content).toBe('"heritage=geosteer,geosteer/owner=geo-prod,geosteer/resource=taiwan.api.example.com/AAAA"');
    expect(parseRegistryRecord(r)).toEqual({ name: TW, type: 'AAAA', owner: ME });
    expect(parseRegistryRecord(rec(`_geosteer-a.${TW}`, 'TXT', '"heritage=external-dns,external-dns/owner=geo-prod"'))).toBeUndefined();
    expect(parseRegistryRecord(rec(`a-${TW}`, 'TXT', registryContent(ME, TW, 'A')))).toBeUndefined();
  });
});
