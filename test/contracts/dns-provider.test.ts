import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { CloudflareProvider } from '../../src/sync/cloudflare/cloudflare-provider.js';
import type { DnsProvider } from '../../src/sync/dns-provider.js';
import type { DnsRecord } from '../../src/sync/dns-record.js';
import { InMemoryProvider } from '../../src/sync/in-memory-provider.js';
import { planChanges } from '../../src/sync/plan.js';
import { Reconciler } from '../../src/sync/reconciler.js';
import { registerSyncRoutes } from '../../src/sync/sync-route.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { exampleDocument, loadDocument } from '../support/test-server.js';
import { App } from '../../src/app.js';
import { bundledGeo } from '../support/test-server.js';

// One contract, every DnsProvider: the in-memory one and Cloudflare behind the fake API.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const implementations: [string, () => Promise<DnsProvider>][] = [
  ['InMemoryProvider', async () => new InMemoryProvider()],
  [
    'CloudflareProvider (fake API)',
    async () => {
      const fake: FakeCloudflare = await startFakeCloudflare();
      cleanups.push(() => fake.close());
      return new CloudflareProvider({ apiToken: fake.token, zoneId: fake.zoneId, baseURL: fake.baseURL, log: silentLogger(), retry: { sleep: async () => undefined } });
    },
  ],
];

const rec = (name: string, type: DnsRecord['type'], content: string, ttl = 60): DnsRecord => ({ name, type, content, ttl, proxied: false });
const policy = { mode: 'sync' as const, ownerId: 'contract' };
const strip = (rs: DnsRecord[]) => rs.map((r) => `${r.name} ${r.type} ${r.content} ${r.ttl} ${r.comment ?? ''}`).sort();

for (const [label, make] of implementations) {
  describe(`DnsProvider contract: ${label}`, () => {
    it('creates, lists by suffix, updates in place and deletes', async () => {
      const p = await make();
      const desired = [rec('a.api.example.com', 'A', '203.0.113.1'), rec('a.api.example.com', 'AAAA', '2001:db8::1'), rec('other.example.com', 'A', '203.0.113.2')];
      const first = await p.apply(planChanges([], desired, policy));
      expect(first.failed).toEqual([]);
      const listed = await p.records(['api.example.com']);
      expect(strip(listed)).toEqual(
        strip([
          { ...desired[0], comment: 'geosteer owner=contract' },
          { ...desired[1], comment: 'geosteer owner=contract' },
          { ...rec('_geosteer-a.a.api.example.com', 'TXT', '"heritage=geosteer,geosteer/owner=contract,geosteer/resource=a.api.example.com/A"', 1), comment: 'geosteer owner=contract' },
          { ...rec('_geosteer-aaaa.a.api.example.com', 'TXT', '"heritage=geosteer,geosteer/owner=contract,geosteer/resource=a.api.example.com/AAAA"', 1), comment: 'geosteer owner=contract' },
        ]),
      );
      const a = listed.find((r) => r.type === 'A')!;
      const changes = planChanges(listed, [rec('a.api.example.com', 'A', '203.0.113.9', 300)], policy);
      expect(changes.updates).toHaveLength(1);
      expect((await p.apply(changes)).failed).toEqual([]);
      const after = await p.records(['api.example.com']);
      expect(after.find((r) => r.type === 'A')).toMatchObject({ id: a.id, content: '203.0.113.9', ttl: 300 });
      expect(after.some((r) => r.type === 'AAAA' || r.name.startsWith('_geosteer-aaaa'))).toBe(false);
      expect(await p.records(['nothing.example.org'])).toEqual([]);
    });

    it('reports a refused record and applies the rest', async () => {
      const p = await make();
      const result = await p.apply(planChanges([], [rec('b.api.example.com', 'A', '203.0.113.1', 30), rec('c.api.example.com', 'A', '203.0.113.2')], policy));
      expect(result.failed.map((f) => `${f.op} ${f.record.name} ${f.retryable}`)).toEqual(['create b.api.example.com false']);
      expect(result.failed[0].message).toMatch(/ttl|TTL/);
      expect(strip(await p.records(['c.api.example.com']))).toHaveLength(2);
    });

    it('refuses a CNAME beside other records', async () => {
      const p = await make();
      await p.apply(planChanges([], [rec('d.api.example.com', 'A', '203.0.113.1')], policy));
      const result = await p.apply({ creates: [rec('d.api.example.com', 'CNAME', 'elsewhere.example.net')], updates: [], deletes: [], conflicts: [], noops: [] });
      expect(result.failed).toHaveLength(1);
    });
  });
}

describe('Reconciler with the in-memory provider, and GET /v1/sync', () => {
  it('upsert-only never deletes; the route shows the last plan and result', async () => {
    const doc = exampleDocument();
    doc.sync = { cloudflare: { zone_id: 'z', owner_id: 'geo-test', policy: 'upsert-only', names: [{ name: 'api.example.com' }] } };
    const app = new App(loadDocument(doc), { log: silentLogger(), geo: await bundledGeo() });
    cleanups.push(() => app.close());
    const provider = new InMemoryProvider([{ name: 'old.api.example.com', type: 'A', content: '203.0.113.50', ttl: 60, proxied: false, comment: 'geosteer owner=geo-test' }]);
    const reconciler = new Reconciler({ provider, config: app.config.config.sync!.cloudflare!, delegated: [], snapshot: () => app.snapshot(), log: silentLogger() });
    const server = Fastify();
    registerSyncRoutes(server, reconciler);
    cleanups.push(() => server.close());
    expect((await server.inject({ method: 'GET', url: '/v1/sync' })).json()).toEqual({ cloudflare: null, configured: true });
    const report = await reconciler.syncNow();
    expect(report.result).toBe('ok');
    expect(report.plan?.deletes).toEqual([]);
    expect(provider.all().some((r) => r.name === 'old.api.example.com')).toBe(true);
    expect(provider.all().filter((r) => r.type === 'A' || r.type === 'AAAA')).toHaveLength(9);
    const body = (await server.inject({ method: 'GET', url: '/v1/sync' })).json();
    expect(body.cloudflare).toMatchObject({ result: 'ok', policy: 'upsert-only', dryRun: false, applied: 16, failures: [] });
    expect(body.cloudflare.plan.creates).toContain('tokyo.api.example.com A 198.51.100.30 ttl=60');
    const unconfigured = Fastify();
    registerSyncRoutes(unconfigured, undefined);
    expect((await unconfigured.inject({ method: 'GET', url: '/v1/sync' })).json()).toEqual({ cloudflare: null, configured: false });
  });
});

describe('Reconciler and regions without addresses yet', () => {
  it('a Kubernetes-fed region that has not reported keeps its published records (no deletes on restart)', async () => {
    const doc = exampleDocument();
    doc.regions.tokyo.endpoints = [];
    doc.sources = { kubernetes: { regions: { tokyo: { kubeconfig: 'unused' } } } };
    doc.sync = { cloudflare: { zone_id: 'z', owner_id: 'geo-test', names: [{ name: 'api.example.com' }] } };
    const app = new App(loadDocument(doc), { log: silentLogger(), geo: await bundledGeo() });
    cleanups.push(() => app.close());
    const mine = { ttl: 60, proxied: false, comment: 'geosteer owner=geo-test' };
    const provider = new InMemoryProvider([
      { name: 'tokyo.api.example.com', type: 'A', content: '203.0.113.30', ...mine },
      { name: '_geosteer-a.tokyo.api.example.com', type: 'TXT', content: '"heritage=geosteer,geosteer/owner=geo-test,geosteer/resource=tokyo.api.example.com/A"', ...mine, ttl: 1 },
    ]);
    const reconciler = new Reconciler({ provider, config: app.config.config.sync!.cloudflare!, delegated: [], snapshot: () => app.snapshot(), log: silentLogger() });
    const report = await reconciler.syncNow();
    expect(report.plan?.deletes).toEqual([]);
    expect(provider.all().filter((r) => r.name.includes('tokyo')).map((r) => r.type).sort()).toEqual(['A', 'TXT']);
    app.setRegionEndpoints('tokyo', [{ id: '203.0.113.31', address: '203.0.113.31', family: 4 }]);
    const next = await reconciler.syncNow();
    expect(next.plan?.updates).toEqual(['tokyo.api.example.com A 203.0.113.30 ttl=60 -> tokyo.api.example.com A 203.0.113.31 ttl=60']);
  });
});
