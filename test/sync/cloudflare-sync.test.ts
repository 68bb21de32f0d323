import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { Reconciler, SyncReport } from '../../src/sync/reconciler.js';
import { startCloudflareSync } from '../../src/sync/start-sync.js';
import { startFakeCloudflare, type FakeCloudflare, type FakeRecord } from '../support/fake-cloudflare.js';
import { bundledGeo, exampleDocument, loadDocument } from '../support/test-server.js';

// The real `cloudflare` SDK against the fake API server (test/support/fake-cloudflare.ts)
// through its baseURL option; the example config's four regions on api.example.com.

let fake: FakeCloudflare;
let app: App | undefined;
let reconciler: Reconciler | undefined;
let sleeps: number[];

function syncDocument(fakeCf: FakeCloudflare, extra: Record<string, unknown> = {}) {
  const doc = exampleDocument();
  doc.sync = {
    cloudflare: {
      zone_id: fakeCf.zoneId,
      zone_name: 'example.com',
      base_url: fakeCf.baseURL,
      api_token_env: 'TEST_CF_TOKEN',
      owner_id: 'geo-test',
      interval: '1h',
      debounce: '20ms',
      names: [{ name: 'api.example.com', per_region: true, failover_record: true, ttl: 60 }],
      ...extra,
    },
  };
  return doc;
}

async function start(doc: Record<string, any>): Promise<Reconciler> {
  app = new App(loadDocument(doc), { log: silentLogger(), geo: await bundledGeo() });
  const r = (await startCloudflareSync(app, {
    log: silentLogger(),
    env: { TEST_CF_TOKEN: fake.token },
    retry: { baseDelayMs: 1, maxDelayMs: 5000, maxTotalMs: 60_000, sleep: async (ms) => void sleeps.push(ms) },
    retryDelayMs: 3_600_000,
  }))!;
  reconciler = r;
  return r;
}

/** Waits for the start-up run (start() kicks one off) to finish. */
async function firstRun(r: Reconciler): Promise<SyncReport> {
  const deadline = Date.now() + 5000;
  while (!r.lastReport() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
  return r.lastReport()!;
}

const view = (records: FakeRecord[]) => records.filter((r) => !r.name.startsWith('_geosteer-')).map((r) => `${r.name} ${r.type} ${r.content}`).sort();
const mutations = () => fake.requests.filter((r) => r.method !== 'GET');

const FIRST_SYNC = [
  'api.example.com A 198.51.100.10',
  'api.example.com AAAA 2001:db8:1::10',
  'singapore.api.example.com A 198.51.100.20',
  'singapore.api.example.com AAAA 2001:db8:2::20',
  'taiwan.api.example.com A 198.51.100.10',
  'taiwan.api.example.com AAAA 2001:db8:1::10',
  'tokyo.api.example.com A 198.51.100.30',
  'tokyo.api.example.com AAAA 2001:db8:3::30',
  'us-west.api.example.com A 198.51.100.40',
  'us-west.api.example.com AAAA 2001:db8:4::40',
];

beforeEach(async () => {
  fake = await startFakeCloudflare();
  sleeps = [];
});
afterEach(async () => {
  await reconciler?.stop();
  await app?.close();
  await fake.close();
  reconciler = undefined;
  app = undefined;
});

describe('Cloudflare sync through the real SDK against the fake API', () => {
  it('first sync creates every record with its registry TXT in one batch; the next sync changes nothing', async () => {
    const foreign = fake.seed({ name: 'www.api.example.com', type: 'A', content: '203.0.113.5', comment: 'hand-made' });
    const r = await start(syncDocument(fake));
    const report = await firstRun(r);
    expect(report.result).toBe('ok');
    expect(view(fake.records())).toEqual([...FIRST_SYNC, 'www.api.example.com A 203.0.113.5'].sort());
    const registry = fake.records().filter((x) => x.name.startsWith('_geosteer-'));
    expect(registry).toHaveLength(10);
    expect(registry.find((x) => x.name === '_geosteer-a.taiwan.api.example.com')?.content).toBe(
      '"heritage=geosteer,geosteer/owner=geo-test,geosteer/resource=taiwan.api.example.com/A"',
    );
    const owned = fake.records().filter((x) => x.id !== foreign.id);
    expect(owned.every((x) => x.comment === 'geosteer owner=geo-test' && x.ttl === (x.type === 'TXT' ? 1 : 60))).toBe(true);
    expect(mutations().map((m) => `${m.method} ${m.url}`)).toEqual([`POST /client/v4/zones/${fake.zoneId}/dns_records/batch`]);
    expect(fake.records().find((x) => x.id === foreign.id)).toEqual(foreign);

    const again = await r.syncNow();
    expect(again.result).toBe('ok');
    expect(again.plan).toMatchObject({ creates: [], updates: [], deletes: [], noops: 10 });
    expect(mutations()).toHaveLength(1);
    // listings filter by name.endswith and stop at total_pages (no extra empty page)
    const lists = fake.requests.filter((q) => q.method === 'GET');
    expect(lists).toHaveLength(2);
    expect(lists[0].url).toContain('name.endswith=api.example.com');
  });

  it('pages through listings with per_page', async () => {
    for (let i = 0; i < 12; i++) fake.seed({ name: `host${i}.api.example.com`, type: 'A', content: `203.0.113.${i}` });
    const { CloudflareProvider } = await import('../../src/sync/cloudflare/cloudflare-provider.js');
    const provider = new CloudflareProvider({ apiToken: fake.token, zoneId: fake.zoneId, baseURL: fake.baseURL, log: silentLogger(), perPage: 5 });
    const records = await provider.records(['api.example.com']);
    expect(records.map((r) => r.name).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `host${i}.api.example.com`).sort());
    expect(fake.requests.map((q) => new URL(q.url, 'http://x').searchParams.get('page'))).toEqual(['1', '2', '3']);
  });

  it('a health change updates the failover record (debounced, from the app snapshot)', async () => {
    const r = await start(syncDocument(fake));
    await firstRun(r);
    const before = fake.records().find((x) => x.name === 'api.example.com' && x.type === 'A')!;
    app!.setHealth({ regionUp: (region) => region !== 'taiwan', endpointUp: () => true });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !view(fake.records()).includes('api.example.com A 198.51.100.30')) await new Promise((res) => setTimeout(res, 10));
    const after = fake.records().find((x) => x.name === 'api.example.com' && x.type === 'A')!;
    expect(after.content).toBe('198.51.100.30');
    expect(after.id).toBe(before.id); // updated in place, not re-created
    expect(view(fake.records()).filter((x) => x.startsWith('api.example.com'))).toEqual(['api.example.com A 198.51.100.30', 'api.example.com AAAA 2001:db8:3::30']);
  });

  it('a region removed from the config is deleted, registry included; foreign records stay', async () => {
    fake.seed({ name: 'www.api.example.com', type: 'A', content: '203.0.113.5' });
    const r = await start(syncDocument(fake));
    await firstRun(r);
    const doc = syncDocument(fake);
    delete doc.regions['us-west'];
    doc.names[0].rules = doc.names[0].rules.filter((rule: { tiers: string[] }) => !JSON.stringify(rule.tiers).includes('us-west'));
    app!.applyConfig(loadDocument(doc));
    const report = await r.syncNow();
    expect(report.result).toBe('ok');
    expect(report.plan?.deletes).toHaveLength(4);
    expect(view(fake.records())).toEqual([...FIRST_SYNC.filter((x) => !x.startsWith('us-west')), 'www.api.example.com A 203.0.113.5'].sort());
    expect(fake.records().some((x) => x.name.includes('us-west'))).toBe(false);
  });

  it('a foreign record at a desired name is a conflict and is never touched', async () => {
    const foreign = fake.seed({ name: 'tokyo.api.example.com', type: 'A', content: '203.0.113.30', ttl: 300 });
    const other = fake.seed({ name: 'tokyo.api.example.com', type: 'TXT', content: '"owned by someone"', comment: 'team-b' });
    const r = await start(syncDocument(fake));
    const report = await firstRun(r);
    expect(report.plan?.conflicts).toEqual([{ name: 'tokyo.api.example.com', type: 'A', reason: expect.stringContaining('does not own') }]);
    expect(report.result).toBe('ok');
    expect(fake.records().find((x) => x.id === foreign.id)).toEqual(foreign);
    expect(fake.records().find((x) => x.id === other.id)).toEqual(other);
    expect(view(fake.records())).toContain('tokyo.api.example.com AAAA 2001:db8:3::30');
    expect(view(fake.records())).not.toContain('tokyo.api.example.com A 198.51.100.30');
  });

  it('dry run lists and plans but changes nothing', async () => {
    const r = await start(syncDocument(fake, { dry_run: true }));
    const report = await firstRun(r);
    expect(report.result).toBe('dry_run');
    expect(report.plan?.creates).toHaveLength(20);
    expect(fake.records()).toEqual([]);
    expect(mutations()).toEqual([]);
  });

  it('a 429 storm (Retry-After honoured) ends converged', async () => {
    fake.inject({ status: 429, code: 10429, message: 'Rate limited. Please wait and consider throttling your request speed', retryAfter: 2, times: 7 });
    const r = await start(syncDocument(fake));
    let report = await firstRun(r);
    for (let i = 0; i < 5 && report.result !== 'ok'; i++) report = await r.syncNow();
    expect(report.result).toBe('ok');
    expect(view(fake.records())).toEqual(FIRST_SYNC);
    expect(fake.requests.filter((q) => q.status === 429)).toHaveLength(7);
    expect(sleeps.filter((ms) => ms === 2000).length).toBeGreaterThanOrEqual(4);
    const settled = await r.syncNow();
    expect(settled.plan).toMatchObject({ creates: [], updates: [], deletes: [] });
  });

  it('a 5xx after a committed batch is retried; "identical record exists" counts as done', async () => {
    fake.inject({ when: (q) => q.url.endsWith('/batch'), status: 502, code: 10001, message: 'bad gateway', afterCommit: true, times: 1 });
    const r = await start(syncDocument(fake));
    const report = await firstRun(r);
    expect(report.result).toBe('ok');
    expect(report.failures).toEqual([]);
    expect(view(fake.records())).toEqual(FIRST_SYNC); // no duplicates
    expect(fake.requests.some((q) => q.status === 400 && q.url.endsWith('/dns_records'))).toBe(true); // the 81058 replies
  });

  it('a permanent 400 on one record leaves the others applied and is reported', async () => {
    fake.refuse = (rec) => (rec.name === 'singapore.api.example.com' && rec.type === 'AAAA' ? { code: 9006, message: 'Content for AAAA record must be a valid IPv6 address.' } : undefined);
    const r = await start(syncDocument(fake));
    const report = await firstRun(r);
    expect(report.result).toBe('partial');
    expect(report.failures).toEqual([
      { op: 'create', record: expect.stringContaining('singapore.api.example.com AAAA 2001:db8:2::20'), code: 9006, message: expect.stringContaining('9006'), retryable: false },
    ]);
    expect(view(fake.records())).toEqual(FIRST_SYNC.filter((x) => x !== 'singapore.api.example.com AAAA 2001:db8:2::20'));
  });

  it('refuses to start without the API token variable, naming the field', async () => {
    const a = new App(loadDocument(syncDocument(fake)), { log: silentLogger(), geo: await bundledGeo() });
    await expect(startCloudflareSync(a, { log: silentLogger(), env: {} })).rejects.toThrow(/sync\.cloudflare\.api_token_env: environment variable TEST_CF_TOKEN is not set/);
    await a.close();
  });
});
