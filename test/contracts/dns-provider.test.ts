import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { CloudflareProvider } from '../../src/sync/cloudflare/cloudflare-provider.js';
import type { DnsProvider } from '../../src/sync/dns-provider.js';
import type { DnsRecord } from '../../src/sync/dns-record.js';
import { InMemoryProvider } from '../../src/sync/in-memory-provider.js';
import { ZoneRefusal } from '../../src/sync/provider-errors.js';
import { MemoryRequestBudget } from '../../src/sync/request-budget.js';
import { startCloudflareSync } from '../../src/sync/start-sync.js';
import { NO_OBSERVER } from '../../src/sync/sync-observer.js';
import { registerSyncRoutes } from '../../src/admin/sync-route.js';
import { startFakeCloudflare } from '../support/fake-cloudflare.js';
import { exampleDocument, loadDocument } from '../support/test-server.js';
import { firstRun, inputOf, TestSource } from '../sync/sync-harness.js';
import { VirtualTimers } from '../sync/virtual-timers.js';

// One contract, every DnsProvider: the in-memory one and Cloudflare behind the fake API.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

type Make = (opts: { quota?: number; seed?: Omit<DnsRecord, 'id'>[] }) => Promise<DnsProvider>;

const implementations: [string, Make][] = [
  ['InMemoryProvider', async ({ quota, seed }) => new InMemoryProvider({ quota, records: seed })],
  [
    'CloudflareProvider (fake API)',
    async ({ quota, seed }) => {
      const fake = await startFakeCloudflare({ quota });
      cleanups.push(() => fake.close());
      for (const r of seed ?? []) fake.seed({ ...r, comment: r.comment ?? null });
      const timers = new VirtualTimers();
      const budget = new MemoryRequestBudget({ requests: 600, windowMs: 300_000, burst: 60 }, () => timers.now());
      return new CloudflareProvider({ apiToken: fake.token, zoneId: fake.zoneId, tokenEnv: 'CF_TOKEN', baseURL: fake.baseURL, log: silentLogger(), budget, timers, observer: NO_OBSERVER });
    },
  ],
];

const rec = (name: string, type: DnsRecord['type'], content: string, extra: Partial<DnsRecord> = {}): DnsRecord => ({ name, type, content, ttl: 60, proxied: false, comment: 'c', ...extra });
const strip = (rs: readonly DnsRecord[]) => rs.map((r) => `${r.name} ${r.type} ${r.content} ${r.ttl} ${r.comment ?? ''}`).sort();
const none = { deletes: [], updates: [], creates: [] };

for (const [label, make] of implementations) {
  describe(`DnsProvider contract: ${label}`, () => {
    it('lists the whole zone, creates, updates in place (id and creation time kept) and deletes', async () => {
      const p = await make({ seed: [{ name: 'mail.example.com', type: 'A', content: '192.0.2.25', ttl: 300, proxied: false }] });
      const first = await p.apply({ ...none, creates: [rec('a.api.example.com', 'A', '203.0.113.1'), rec('a.api.example.com', 'AAAA', '2001:DB8:0:0:0:0:0:1'), rec('b.example.com', 'TXT', '"hello"')] });
      expect(first.failed).toEqual([]);
      expect(first.stoppedBy).toBeUndefined();
      const listed = await p.list();
      expect(strip(listed.records)).toEqual(['a.api.example.com A 203.0.113.1 60 c', 'a.api.example.com AAAA 2001:db8::1 60 c', 'b.example.com TXT "hello" 60 c', 'mail.example.com A 192.0.2.25 300 ']);
      expect(listed.total).toBe(4);
      const a = listed.records.find((r) => r.type === 'A' && r.name === 'a.api.example.com')!;
      expect(a.createdOn).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
      await p.apply({ ...none, updates: [{ before: a, after: { ...a, content: '203.0.113.2', ttl: 120 } }] });
      const updated = (await p.list()).records.find((r) => r.id === a.id)!;
      expect([updated.content, updated.ttl, updated.createdOn]).toEqual(['203.0.113.2', 120, a.createdOn]);
      const removed = await p.apply({ ...none, deletes: [updated] });
      expect(removed.applied.map((x) => x.op)).toEqual(['delete']);
      expect((await p.list()).records.some((r) => r.id === a.id)).toBe(false);
    });

    it('creation times order records created one after the other (the claim order)', async () => {
      const p = await make({});
      await p.apply({ ...none, creates: [rec('x.example.com', 'TXT', '"1"'), rec('x.example.com', 'TXT', '"2"'), rec('x.example.com', 'TXT', '"3"')] });
      const times = [...(await p.list()).records].sort((r1, r2) => r1.content.localeCompare(r2.content)).map((r) => r.createdOn!);
      expect([...times].sort()).toEqual(times);
      expect(new Set(times).size).toBe(3);
    });

    it('refuses identical records and CNAME clashes per record; the rest is applied', async () => {
      const p = await make({});
      await p.apply({ ...none, creates: [rec('d.api.example.com', 'A', '203.0.113.4')] });
      const result = await p.apply({ ...none, creates: [rec('d.api.example.com', 'A', '203.0.113.4'), rec('d.api.example.com', 'CNAME', 'elsewhere.example.net'), rec('e.api.example.com', 'A', '203.0.113.5')] });
      expect(result.failed.map((f) => `${f.record.name} ${f.record.type} ${f.retryable}`)).toEqual(['d.api.example.com A false', 'd.api.example.com CNAME false']);
      expect(result.applied.map((x) => x.record.name)).toEqual(['e.api.example.com']);
    });

    it('reports its record quota and stops creating at it (a zone-wide refusal, not one failure per record)', async () => {
      const p = await make({ quota: 3, seed: [{ name: 'mail.example.com', type: 'MX' as never, content: '10 mx.example.com', ttl: 300, proxied: false }] });
      expect(await p.capacity()).toEqual({ quota: 3, used: 1 });
      const result = await p.apply({ ...none, creates: [rec('q1.example.com', 'A', '203.0.113.1'), rec('q2.example.com', 'A', '203.0.113.2'), rec('q3.example.com', 'A', '203.0.113.3'), rec('q4.example.com', 'A', '203.0.113.4')] });
      expect(result.stoppedBy).toBeInstanceOf(ZoneRefusal);
      expect((result.stoppedBy as ZoneRefusal).detail.reason).toBe('quota');
      expect(result.failed).toEqual([]);
      expect((await p.list()).total).toBe(1); // creates that do not all fit are refused together (one batch)
    });
  });
}

describe('the sync with the in-memory provider, and GET /v1/sync', () => {
  it('upsert-only keeps a set it no longer wants; the route shows the report', async () => {
    const doc = exampleDocument();
    doc.sync = { cloudflare: { zone_id: 'z', owner_id: 'geo-test', policy: 'upsert-only', names: [{ name: 'api.example.com' }] } };
    const mine = { ttl: 60, proxied: false, comment: 'geosteer owner=geo-test' };
    const provider = new InMemoryProvider({
      records: [
        { name: 'old.api.example.com', type: 'A', content: '203.0.113.50', ...mine },
        { name: '_geosteer-a.old.api.example.com', type: 'TXT', content: '"heritage=geosteer,geosteer/owner=geo-test,geosteer/resource=old.api.example.com/A"', ...mine, ttl: 1 },
      ],
    });
    const timers = new VirtualTimers();
    const sync = (await startCloudflareSync(loadDocument(doc).config, new TestSource(inputOf(doc)), { log: silentLogger(), provider, timers, instanceId: 'i1' }))!;
    cleanups.push(() => sync.stop());
    const server = Fastify();
    registerSyncRoutes(server, () => sync);
    cleanups.push(() => server.close());
    const report = await firstRun(sync);
    expect(report.result).toBe('ok');
    expect(report.plan?.deletes).toEqual([]);
    expect(provider.all().some((r) => r.name === 'old.api.example.com')).toBe(true);
    expect(provider.all().filter((r) => (r.type === 'A' || r.type === 'AAAA') && r.name !== 'old.api.example.com')).toHaveLength(8);
    const body = (await server.inject({ method: 'GET', url: '/v1/sync' })).json();
    expect(body).toMatchObject({ configured: true, cloudflare: { zoneId: 'z', ownerId: 'geo-test', policy: 'upsert-only', dryRun: false, writer: { role: 'writer', holder: 'i1' }, running: null, backoff: null } });
expect(body.cloudflare.last).toMatchObject({ result: 'ok', applied: 16, failures: [] }); // 8 claims, then their 8 records
    expect(body.cloudflare.last.plan.creates).toContain('tokyo.api.example.com A 198.51.100.30 ttl=60');
    expect(body.cloudflare.budget).toEqual({ tokens: 60, capacity: 60, refillPerSecond: 2, blockedUntil: null });
    const unconfigured = Fastify();
    registerSyncRoutes(unconfigured, () => undefined);
    expect((await unconfigured.inject({ method: 'GET', url: '/v1/sync' })).json()).toEqual({ cloudflare: null, configured: false });
  });

  it('a Kubernetes-fed region that has not reported keeps its published records (no deletes on restart)', async () => {
    const doc = exampleDocument();
    doc.regions.tokyo.endpoints = [];
    doc.sources = { kubernetes: { regions: { tokyo: { kubeconfig: 'unused' } } } };
    doc.sync = { cloudflare: { zone_id: 'z', owner_id: 'geo-test', names: [{ name: 'api.example.com' }] } };
    const mine = { ttl: 60, proxied: false, comment: 'geosteer owner=geo-test' };
    const provider = new InMemoryProvider({
      records: [
        { name: 'tokyo.api.example.com', type: 'A', content: '203.0.113.30', ...mine },
        { name: '_geosteer-a.tokyo.api.example.com', type: 'TXT', content: '"heritage=geosteer,geosteer/owner=geo-test,geosteer/resource=tokyo.api.example.com/A"', ...mine, ttl: 1 },
      ],
    });
    const source = new TestSource(inputOf(doc));
    const sync = (await startCloudflareSync(loadDocument(doc).config, source, { log: silentLogger(), provider, timers: new VirtualTimers() }))!;
    cleanups.push(() => sync.stop());
    const report = await firstRun(sync);
    expect(report.plan?.deletes).toEqual([]);
    expect(provider.all().filter((r) => r.name.includes('tokyo')).map((r) => r.type).sort()).toEqual(['A', 'TXT']);
    doc.regions.tokyo.endpoints = [{ name: 'jp', address: '203.0.113.31' }];
    source.set(inputOf(doc));
    const next = (await sync.syncNow())!;
    expect(next.plan?.updates).toEqual(['tokyo.api.example.com A 203.0.113.30 ttl=60 -> tokyo.api.example.com A 203.0.113.31 ttl=60']);
  });
});
