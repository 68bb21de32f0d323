import { beforeEach, describe, expect, it } from 'vitest';
import { ALL_UP } from '../../src/steering/region-status.js';
import { silentLogger } from '../../src/shared/logger.js';
import { startCloudflareSync } from '../../src/sync/start-sync.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { eventually } from '../support/redis-server.js';
import { loadDocument } from '../support/test-server.js';
import { FIRST_SYNC, firstRun, inputOf, ownedPerTest, requestsSince, startSync, syncDocument, TestSource, zoneView } from './sync-harness.js';

// The real `cloudflare` SDK against the fake API server (test/support/fake-cloudflare.ts)
// through its baseURL option; the example config's four regions on api.example.com.

const own = ownedPerTest();

let fake: FakeCloudflare;

beforeEach(async () => {
  fake = own.fake(await startFakeCloudflare());
});

describe('Cloudflare sync through the real SDK against the fake API', () => {
  it('first sync claims, re-reads and creates (5 requests); a quiet run is one list request', async () => {
    const foreign = fake.seed({ name: 'www.api.example.com', type: 'A', content: '203.0.113.5', comment: 'hand-made' });
    const { sync } = own.sync(await startSync(syncDocument(fake), fake));
    const report = await firstRun(sync);
    expect(report.result).toBe('ok');
    expect(zoneView(fake.records())).toEqual([...FIRST_SYNC, 'www.api.example.com A 203.0.113.5'].sort());
    const registry = fake.records().filter((x) => x.name.startsWith('_geosteer-'));
    expect(registry).toHaveLength(10);
    expect(registry.find((x) => x.name === '_geosteer-a.taiwan.api.example.com')?.content).toBe('"heritage=geosteer,geosteer/owner=geo-test,geosteer/resource=taiwan.api.example.com/A"');
    expect(fake.records().filter((x) => x.id !== foreign.id).every((x) => x.comment === 'geosteer owner=geo-test' && x.ttl === (x.type === 'TXT' ? 1 : 60))).toBe(true);
    expect(requestsSince(fake)).toEqual(['GET /dns_records', 'GET /dns_records/usage', 'POST /dns_records/batch', 'GET /dns_records', 'POST /dns_records/batch']);
    expect(report.requests).toBe(5);
    expect(fake.records().find((x) => x.id === foreign.id)).toEqual(foreign);

    const before = fake.requests.length;
    const again = (await sync.syncNow())!;
    expect(again.result).toBe('ok');
    expect(again.plan).toMatchObject({ claims: [], creates: [], updates: [], deletes: [], noops: 10 });
    expect(requestsSince(fake, before)).toEqual(['GET /dns_records']);
    expect(new URL(fake.requests.at(-1)!.url, 'http://x').searchParams.get('per_page')).toBe('5000');
  });

  it('a health change reaches the failover record one debounce later, updated in place', async () => {
    const doc = syncDocument(fake);
    const started = own.sync(await startSync(doc, fake));
    const { sync } = started;
    await firstRun(sync);
    const before = fake.records().find((x) => x.name === 'api.example.com' && x.type === 'A')!;
    const from = fake.requests.length;
    started.source.set(inputOf(doc, { regionUp: (r) => r !== 'taiwan', endpointUp: () => true }));
    expect(started.timers.due()[0] - started.timers.now()).toBe(2000); // the debounce
    started.timers.advance(2000);
    await eventually(() => zoneView(fake.records()).includes('api.example.com A 198.51.100.30'), 'the failover record moved');
    const after = fake.records().find((x) => x.name === 'api.example.com' && x.type === 'A')!;
    expect(after.id).toBe(before.id);
    expect(zoneView(fake.records()).filter((x) => x.startsWith('api.example.com'))).toEqual(['api.example.com A 198.51.100.30', 'api.example.com AAAA 2001:db8:3::30']);
    await eventually(async () => (await sync!.report()).running === null, 'the run finished');
    expect(requestsSince(fake, from)).toEqual(['GET /dns_records', 'POST /dns_records/batch']);
    // the same input again changes nothing and triggers nothing
    started.source.set(inputOf(doc, { regionUp: (r) => r !== 'taiwan', endpointUp: () => true }));
    expect(started.timers.due().filter((t) => t - started.timers.now() === 2000)).toEqual([]);
  });

  it('a region removed from the config is deleted, registry included; foreign records stay', async () => {
    fake.seed({ name: 'www.api.example.com', type: 'A', content: '203.0.113.5' });
    const doc = syncDocument(fake);
    const started = own.sync(await startSync(doc, fake));
    const { sync } = started;
    await firstRun(sync);
    delete doc.regions['us-west'];
    doc.names[0].rules = doc.names[0].rules.filter((rule: { tiers: string[] }) => !JSON.stringify(rule.tiers).includes('us-west'));
    started.source.set(inputOf(doc));
    const from = fake.requests.length;
    const report = (await sync.syncNow())!;
    expect(report.result).toBe('ok');
    expect(report.plan?.deletes).toHaveLength(4);
    expect(zoneView(fake.records())).toEqual([...FIRST_SYNC.filter((x) => !x.startsWith('us-west')), 'www.api.example.com A 203.0.113.5'].sort());
    expect(fake.records().some((x) => x.name.includes('us-west'))).toBe(false);
    expect(requestsSince(fake, from)).toEqual(['GET /dns_records', 'POST /dns_records/batch']);
  });

  it('dry run lists, checks the quota and plans, but changes nothing', async () => {
    const { sync } = own.sync(await startSync(syncDocument(fake, { dry_run: true }), fake));
    const report = await firstRun(sync);
    expect(report.result).toBe('dry_run');
    expect(report.plan?.creates).toHaveLength(20);
    expect(report.plan?.claims).toHaveLength(10);
    expect(fake.records()).toEqual([]);
    expect(requestsSince(fake)).toEqual(['GET /dns_records', 'GET /dns_records/usage']);
    expect((await sync.report()).writer).toEqual({ role: 'dry_run', holder: undefined });
  });

  it('a permanent 400 on one record: the batch is halved until it stands alone; the rest is applied and it is reported', async () => {
    fake.refuse = (rec) => (rec.name === 'singapore.api.example.com' && rec.type === 'AAAA' ? { code: 9006, message: 'Content for AAAA record must be a valid IPv6 address.' } : undefined);
    const { sync } = own.sync(await startSync(syncDocument(fake), fake));
    const report = await firstRun(sync);
    expect(report.result).toBe('partial');
    expect(report.failures).toEqual([
      { op: 'create', record: 'singapore.api.example.com AAAA 2001:db8:2::20 ttl=60', code: 9006, message: '400 9006 Content for AAAA record must be a valid IPv6 address.', retryable: false },
    ]);
    expect(zoneView(fake.records())).toEqual(FIRST_SYNC.filter((x) => x !== 'singapore.api.example.com AAAA 2001:db8:2::20'));
    // list, usage, claims batch, list, then the 10 records halved: [5] ok, [5] -> [3] -> [2] -> the bad one alone
    const writes = fake.requests.slice(4).map((r) => `${r.method} ${r.url.endsWith('/batch') ? `batch(${sizeOf(r.body)})` : 'single'} ${r.status}`);
    expect(writes).toEqual(['POST batch(10) 400', 'POST batch(5) 200', 'POST batch(5) 400', 'POST batch(3) 400', 'POST batch(2) 400', 'POST single 400', 'POST single 200', 'POST single 200', 'POST batch(2) 200']);
    expect(report.requests).toBe(13);
  });

  it('refuses to start without the API token variable, naming the field', async () => {
    const doc = syncDocument(fake);
    await expect(startCloudflareSync(loadDocument(doc).config, new TestSource(inputOf(doc)), { log: silentLogger(), env: {} })).rejects.toThrow(
      /sync\.cloudflare\.api_token_env: environment variable TEST_CF_TOKEN is not set/,
    );
    expect(fake.requests).toEqual([]);
    expect(await startCloudflareSync(loadDocument({ ...doc, sync: undefined }).config, new TestSource(inputOf(doc, ALL_UP)), { log: silentLogger() })).toBeUndefined();
  });
});

function sizeOf(body: unknown): number {
  const b = body as { deletes?: unknown[]; puts?: unknown[]; posts?: unknown[] };
  return (b.deletes?.length ?? 0) + (b.puts?.length ?? 0) + (b.posts?.length ?? 0);
}
