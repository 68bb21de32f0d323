import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../src/sync/dns-record.js';
import { planChanges, type Changes, type SyncMode } from '../../src/sync/plan.js';
import { ownerComment, parseRegistryRecord, registryContent, registryName } from '../../src/sync/registry.js';

const ME = 'geo-prod';
const MINE = ownerComment(ME);
let nextId = 1;
const rec = (name: string, type: DnsRecord['type'], content: string, extra: Partial<DnsRecord> = {}): DnsRecord => ({ name, type, content, ttl: 60, proxied: false, ...extra });
const cur = (name: string, type: DnsRecord['type'], content: string, extra: Partial<DnsRecord> = {}): DnsRecord => rec(name, type, content, { id: `id-${nextId++}`, comment: MINE, ...extra });
const reg = (name: string, type: DnsRecord['type'], owner = ME): DnsRecord => cur(registryName(name, type), 'TXT', registryContent(owner, name, type), { ttl: 1, comment: ownerComment(owner) });

const TW = 'taiwan.api.example.com';
const short = (r: DnsRecord) => `${r.type} ${r.name} ${r.content}`;
function summary(c: Changes) {
  return {
    creates: c.creates.map(short).sort(),
    updates: c.updates.map((u) => `${u.before.id}: ${short(u.before)} ttl=${u.before.ttl} -> ${short(u.after)} ttl=${u.after.ttl}`).sort(),
    deletes: c.deletes.map(short).sort(),
    conflicts: c.conflicts.map((x) => `${x.type} ${x.name}: ${x.reason}`),
    noops: c.noops.length,
  };
}
const none = { creates: [], updates: [], deletes: [], conflicts: [], noops: 0 };
const regTxt = (name: string, type: DnsRecord['type']) => `TXT ${registryName(name, type)} ${registryContent(ME, name, type)}`;

interface Row {
  label: string;
  mode?: SyncMode;
  current: () => DnsRecord[];
  desired: DnsRecord[];
  expected: ReturnType<typeof summary>;
}

const rows: Row[] = [
  {
    label: 'create: nothing there yet -> the records and their registry TXT',
    current: () => [],
    desired: [rec(TW, 'A', '198.51.100.10'), rec(TW, 'A', '198.51.100.11')],
    expected: { ...none, creates: [`A ${TW} 198.51.100.10`, `A ${TW} 198.51.100.11`, regTxt(TW, 'A')] },
  },
  {
    label: 'no-op: owned and identical',
    current: () => [cur(TW, 'A', '198.51.100.10'), reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, noops: 1 },
  },
  {
    label: 'update: changed TTL keeps the record',
    current: () => [{ ...cur(TW, 'A', '198.51.100.10', { ttl: 300 }), id: 'a1' }, reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, updates: [`a1: A ${TW} 198.51.100.10 ttl=300 -> A ${TW} 198.51.100.10 ttl=60`] },
  },
  {
    label: 'update: a changed address reuses the old record id',
    current: () => [{ ...cur(TW, 'A', '198.51.100.10'), id: 'a1' }, reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.99')],
    expected: { ...none, updates: [`a1: A ${TW} 198.51.100.10 ttl=60 -> A ${TW} 198.51.100.99 ttl=60`] },
  },
  {
    label: 'delete (sync): an address gone from the desired set',
    current: () => [cur(TW, 'A', '198.51.100.10'), cur(TW, 'A', '198.51.100.11'), reg(TW, 'A')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, deletes: [`A ${TW} 198.51.100.11`], noops: 1 },
  },
  {
    label: 'delete (sync): a whole owned set no longer desired, registry included',
    current: () => [cur(TW, 'A', '198.51.100.10'), reg(TW, 'A')],
    desired: [],
    expected: { ...none, deletes: [`A ${TW} 198.51.100.10`, regTxt(TW, 'A')] },
  },
  {
    label: 'upsert-only: never deletes, still creates and updates',
    mode: 'upsert-only',
    current: () => [cur(TW, 'A', '198.51.100.10', { ttl: 300 }), cur(TW, 'A', '198.51.100.11'), reg(TW, 'A'), cur('tokyo.api.example.com', 'A', '198.51.100.30'), reg('tokyo.api.example.com', 'A')],
    desired: [rec(TW, 'A', '198.51.100.10'), rec('singapore.api.example.com', 'A', '198.51.100.20')],
    expected: {
      ...none,
      creates: ['A singapore.api.example.com 198.51.100.20', regTxt('singapore.api.example.com', 'A')],
      updates: [expect.stringMatching(/198\.51\.100\.10 ttl=300 -> A .* ttl=60$/) as unknown as string],
    },
  },
  {
    label: 'conflict: a foreign record (no registry, no comment) is reported and left alone',
    current: () => [cur(TW, 'A', '203.0.113.7', { comment: undefined })],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, conflicts: [`A ${TW}: records exist that geosteer does not own (no registry TXT and no owner comment)`] },
  },
  {
    label: 'conflict: registry of another geosteer owner',
    current: () => [cur(TW, 'A', '198.51.100.10', { comment: ownerComment('geo-staging') }), reg(TW, 'A', 'geo-staging')],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, conflicts: [`A ${TW}: owned by geosteer owner "geo-staging" (registry ${registryName(TW, 'A')})`] },
  },
  {
    label: 'ownership by comment alone: updated, registry repaired',
    current: () => [{ ...cur(TW, 'A', '198.51.100.10'), id: 'a1' }],
    desired: [rec(TW, 'A', '198.51.100.12')],
    expected: { ...none, creates: [regTxt(TW, 'A')], updates: [`a1: A ${TW} 198.51.100.10 ttl=60 -> A ${TW} 198.51.100.12 ttl=60`] },
  },
  {
    label: 'foreign records of other names are not in the plan at all (sync)',
    current: () => [cur('www.api.example.com', 'A', '203.0.113.9', { comment: undefined }), cur('other.api.example.com', 'TXT', '"hello"', { comment: 'someone' })],
    desired: [],
    expected: none,
  },
  {
    label: 'conflict: desired A where a foreign CNAME lives',
    current: () => [cur(TW, 'CNAME', 'lb.elsewhere.example.net', { comment: undefined })],
    desired: [rec(TW, 'A', '198.51.100.10')],
    expected: { ...none, conflicts: [`A ${TW}: a CNAME cannot share its name with other records; ${TW} has CNAME records geosteer may not remove`] },
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
    expected: { ...none, conflicts: [`CNAME ${TW}: a CNAME cannot share its name with other records; ${TW} has A records geosteer may not remove`] },
  },
];

describe('planChanges (table)', () => {
  for (const row of rows) {
    it(row.label, () => {
      const changes = planChanges(row.current(), row.desired, { mode: row.mode ?? 'sync', ownerId: ME });
      expect(summary(changes)).toEqual(row.expected);
      for (const r of [...changes.creates, ...changes.updates.map((u) => u.after)]) expect(r.comment).toBe(MINE);
    });
  }

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
