import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/events/event-log.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { firstRun, inputOf, nextRun, ownedPerTest, requestsSince, type StartedSync, startSync, syncDocument } from './sync-harness.js';

// Finding 2 of issue 12: a refusal no single record can fix stops the run with one error,
// backs off exponentially (30 s doubling, capped at 10 min) and shows in /v1/sync, an event
// and a metric, instead of replaying every record one by one every 30 s.

const own = ownedPerTest();

let fake: FakeCloudflare;

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  const values = (await m!.get()).values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** Moves time to the scheduled attempt and waits for its report; returns it with the delay it waited. */
async function retry(s: StartedSync): Promise<{ delay: number; report: Awaited<ReturnType<typeof nextRun>> }> {
  const { last, nextAttemptAt } = await s.sync.report();
  const delay = Date.parse(nextAttemptAt!) - s.timers.now();
  s.timers.advance(delay);
  return { delay, report: await nextRun(s.sync, last) };
}

describe('finding 2: zone-wide refusals', () => {
  it('a read-only token: 3 requests per try (list, usage, the refused claim batch), one event, back-off 30 s doubling to 10 min', async () => {
    fake = own.fake(await startFakeCloudflare());
    const registry = new Registry();
    const events = new MemoryEventLog();
    const s = own.sync(await startSync(syncDocument(fake), fake, { token: fake.readOnlyToken, observer: new SyncMetrics(registry), events }));
    const { sync } = s;
    const first = await firstRun(s.sync);
    expect(first.result).toBe('refused');
    expect(first.refusal).toEqual({
      reason: 'permission',
      code: 10000,
      what: `Cloudflare refused to change DNS records in zone ${fake.zoneId} (HTTP 403 10000 Authentication error)`,
      why: 'the API token may read the zone but not edit its DNS records',
      fix: 'give the token in TEST_CF_TOKEN the permission Zone > DNS > Edit on this zone (or set sync.cloudflare.dry_run: true)',
    });
    expect(requestsSince(fake)).toEqual(['GET /dns_records', 'GET /dns_records/usage', 'POST /dns_records/batch']);
    const report = await s.sync.report();
    expect(report.backoff).toEqual({ failures: 1, reason: 'refused (permission)' });
    expect(report.nextAttemptAt).toBe(new Date(s.timers.now() + 30_000).toISOString());

    // a snapshot change while backing off waits for the attempt instead of spending requests
    s.source.set(inputOf(syncDocument(fake), undefined, ['taiwan']));
    s.timers.advance(2000);
    expect(fake.requests).toHaveLength(3);

    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const from = fake.requests.length;
      const { delay, report: r } = await retry(s);
      delays.push(delay);
      expect(r.result).toBe('refused');
      expect(requestsSince(fake, from)).toEqual(['GET /dns_records', 'GET /dns_records/usage', 'POST /dns_records/batch']);
    }
    expect(delays).toEqual([28_000, 60_000, 120_000, 240_000, 480_000, 600_000]); // the first was armed 2 s before the change above
    expect(fake.records()).toEqual([]);
    expect(events.list({ type: 'sync_refused' })).toHaveLength(1);
    expect(await metric(registry, 'geosteer_sync_refusals_total', { reason: 'permission' })).toBe(7);
    expect(await metric(registry, 'geosteer_sync_runs_total', { result: 'refused' })).toBe(7);
    expect(await metric(registry, 'geosteer_sync_requests_total')).toBe(21);
    expect(await metric(registry, 'geosteer_sync_next_attempt_timestamp_seconds')).toBe((s.timers.now() + 600_000) / 1000);
  });

  it('the zone record quota is checked before writing: 2 requests per try, nothing created', async () => {
    fake = own.fake(await startFakeCloudflare({ quota: 14 }));
    for (let i = 0; i < 4; i++) fake.seed({ name: `host${i}.example.com`, type: 'A', content: `192.0.2.${i + 1}` });
    const s = own.sync(await startSync(syncDocument(fake), fake));
    const first = await firstRun(s.sync);
    expect(first.result).toBe('refused');
    expect(first.quota).toEqual({ quota: 14, used: 4, adds: 20, doNotFit: 10 });
    expect(first.refusal).toMatchObject({ reason: 'quota', what: `10 of the 20 records this plan adds do not fit in zone example.com`, why: 'the zone holds 4 of its 14 records (plan quota); nothing was created, updates and deletes went ahead' });
    expect(requestsSince(fake)).toEqual(['GET /dns_records', 'GET /dns_records/usage']);
    const { delay, report } = await retry(s);
    expect([delay, report.result]).toEqual([30_000, 'refused']);
    expect(requestsSince(fake, 2)).toEqual(['GET /dns_records', 'GET /dns_records/usage']);
    expect(fake.records()).toHaveLength(4);
  });

  it('with the quota full, an update of a record geosteer owns still reaches Cloudflare (a drain is not held back)', async () => {
    fake = own.fake(await startFakeCloudflare({ quota: 2 }));
    const mine = { comment: 'geosteer owner=geo-test', ttl: 60 };
    fake.seed({ name: '_geosteer-a.api.example.com', type: 'TXT', content: '"heritage=geosteer,geosteer/owner=geo-test,geosteer/resource=api.example.com/A"', ...mine, ttl: 1 });
    const old = fake.seed({ name: 'api.example.com', type: 'A', content: '198.51.100.10', ...mine });
    const s = own.sync(await startSync(syncDocument(fake), fake, { input: inputOf(syncDocument(fake), undefined, ['taiwan']) }));
    const first = await firstRun(s.sync);
    expect(first.result).toBe('refused');
    expect(first.plan?.updates).toEqual(['api.example.com A 198.51.100.10 ttl=60 -> api.example.com A 198.51.100.30 ttl=60']);
    expect(first.applied).toBe(1);
    expect(fake.records().find((r) => r.id === old.id)?.content).toBe('198.51.100.30');
    expect(requestsSince(fake)).toEqual(['GET /dns_records', 'GET /dns_records/usage', 'PUT /dns_records/:id']);
  });

  it('a quota only the API knows (record_quota null, 81045 on the batch) stops the run at the first refusal', async () => {
    fake = own.fake(await startFakeCloudflare({ quota: 5, hideQuota: true }));
    const s = own.sync(await startSync(syncDocument(fake), fake));
    const first = await firstRun(s.sync);
    expect(first.result).toBe('refused');
    expect(first.refusal).toMatchObject({ reason: 'quota', code: 81045 });
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200, 400]);
  });

  it('an unknown zone id: one request, refused with what to change', async () => {
    fake = own.fake(await startFakeCloudflare());
    const doc = syncDocument(fake, { zone_id: '0123456789abcdef0123456789abcdef' });
    const s = own.sync(await startSync(doc, fake));
    const { sync } = s;
    const first = await firstRun(s.sync);
    expect(first.refusal).toMatchObject({ reason: 'zone', code: 7003, fix: "copy the zone id from the zone's Overview page in the Cloudflare dashboard into sync.cloudflare.zone_id" });
    expect(fake.requests).toHaveLength(1);
  });
});
