import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/events/event-log.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { eventually } from '../support/redis-server.js';
import { FIRST_SYNC, firstRun, inputOf, nextRun, ownedPerTest, requestsSince, startSync, syncDocument, withNames, zoneView } from './sync-harness.js';
import { VirtualTimers } from './virtual-timers.js';

// Finding 3 of issue 12: the zone is listed once per run, every request is paid from a
// budget well inside Cloudflare's 1200 per 5 minutes, and the server's Ratelimit and
// Retry-After headers are obeyed (a 5-minute block is waited out by scheduling, not by
// hammering).

const own = ownedPerTest();

let fake: FakeCloudflare;

async function metric(registry: Registry, name: string): Promise<number> {
  return (await registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);
}

describe('finding 3: pacing', () => {
  it('40 synced names: one list request per quiet run (it was 40, and tripped a 30/min limit)', async () => {
    fake = own.fake(await startFakeCloudflare());
    const s = own.sync(await startSync(withNames(syncDocument(fake), 39), fake));
    const first = await firstRun(s.sync);
    expect(first.result).toBe('ok');
    expect(fake.records()).toHaveLength(2 * (10 + 39 * 8)); // records plus one registry TXT each
    // list, usage, claims 322 in 2 batches (200 per batch on Free), list, records in 2 batches
    expect(requestsSince(fake)).toEqual(['GET /dns_records', 'GET /dns_records/usage', 'POST /dns_records/batch', 'POST /dns_records/batch', 'GET /dns_records', 'POST /dns_records/batch', 'POST /dns_records/batch']);
    const from = fake.requests.length;
    expect((await s.sync.syncNow())?.requests).toBe(1);
    expect(requestsSince(fake, from)).toEqual(['GET /dns_records']);
  });

  it('the budget paces a run (pauses counted and shown); a run in progress shows its progress', async () => {
    fake = own.fake(await startFakeCloudflare());
    const registry = new Registry();
    const hold = fake.hold((q) => q.method === 'GET' && q.url.includes('page=1') && fake.requests.length === 3);
    const s = own.sync(await startSync(syncDocument(fake, { budget: { requests: 60, window: '1m', burst: 3 } }), fake, { observer: new SyncMetrics(registry) }));
    await hold.arrived; // the re-read after the claims: the 4th request, after a pause for the budget
    const during = await s.sync.report();
    expect(during.running).toMatchObject({ reason: 'start', phase: 'listing', requests: 3 });
    expect(during.budget).toMatchObject({ tokens: 0, capacity: 3, refillPerSecond: 1 });
    hold.release();
    const report = await firstRun(s.sync);
    expect(report.result).toBe('ok');
    expect(report.requests).toBe(5);
    expect(s.timers.slept).toEqual([1000, 1000]); // burst 3, then one request a second
    expect(await metric(registry, 'geosteer_sync_ratelimit_waits_total')).toBe(2);
    expect(await metric(registry, 'geosteer_sync_ratelimit_wait_seconds_total')).toBe(2);
  });

  it("reads the Ratelimit header: when the account's window is spent, it waits without sending (no 429)", async () => {
    const timers = new VirtualTimers();
    fake = own.fake(await startFakeCloudflare({ now: () => timers.now(), rateLimit: { requests: 6, windowMs: 300_000, blockMs: 300_000 } }));
    const s = own.sync(await startSync(syncDocument(fake), fake, { timers }));
    await firstRun(s.sync); // 5 requests: the header now says r=1
    s.timers.advance(60_000);
    expect((await s.sync.syncNow())?.requests).toBe(1); // the last one: r=0 from here to the window's end
    const paused = (await s.sync.syncNow())!;
    expect(paused.result).toBe('failed');
    expect(paused.requests).toBe(0);
    expect(paused.error).toMatch(/^Cloudflare requests are paused until 2026-11-22T00:05:00.000Z/);
    expect((await s.sync.report()).nextAttemptAt).toBe('2026-11-22T00:05:00.000Z');
    expect(fake.requests.filter((q) => q.status === 429)).toEqual([]);
    s.timers.advance(Date.parse('2026-11-22T00:05:00.000Z') - s.timers.now());
    const resumed = await nextRun(s.sync, paused);
    expect([resumed.result, resumed.requests]).toEqual(['ok', 1]);
  });

  it('a 429 with a short Retry-After is waited out inside the run', async () => {
    fake = own.fake(await startFakeCloudflare());
    fake.inject({ when: (q) => q.url.endsWith('/batch'), status: 429, code: 10429, message: 'Rate limited. Please wait and consider throttling your request speed', retryAfter: 2, times: 3 });
    const s = own.sync(await startSync(syncDocument(fake), fake));
    const report = await firstRun(s.sync);
    expect(report.result).toBe('ok');
    expect(zoneView(fake.records())).toEqual(FIRST_SYNC);
    expect(fake.requests.map((q) => q.status)).toEqual([200, 200, 429, 429, 429, 200, 200, 200]);
    expect(s.timers.slept).toEqual([2000, 2000, 2000]);
    expect(report.requests).toBe(8);
  });

  it('a 5-minute block (429, Retry-After 300): one request, the next attempt at its end, converged then', async () => {
    const timers = new VirtualTimers();
    fake = own.fake(await startFakeCloudflare({ now: () => timers.now() }));
    fake.blockFor(300_000);
    const events = new MemoryEventLog();
    const start = timers.now();
    const s = own.sync(await startSync(syncDocument(fake), fake, { timers, events }));
    const blocked = await firstRun(s.sync);
    expect(blocked.result).toBe('failed');
    expect(blocked.requests).toBe(1);
    expect((await s.sync.report()).nextAttemptAt).toBe(new Date(start + 300_000).toISOString());
    expect(events.list({ type: 'sync_rate_limited' })).toHaveLength(1);
    // a health change during the block waits for it
    s.source.set(inputOf(syncDocument(fake), undefined, ['taiwan']));
    s.timers.advance(2000);
    expect(fake.requests).toHaveLength(1);
    s.timers.advance(start + 300_000 - s.timers.now());
    const converged = await nextRun(s.sync, blocked);
    expect(converged.result).toBe('ok');
    expect(converged.requests).toBe(5);
    expect(Date.parse(converged.finishedAt) - start).toBe(300_000);
    await eventually(() => zoneView(fake.records()).includes('api.example.com A 198.51.100.30'), 'the drain published');
  });
});
