import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { startFakeCloudflare } from '../support/fake-cloudflare.js';
import { FIRST_SYNC, firstRun, ownedPerTest, requestsSince, startSync, syncDocument, zoneView } from './sync-harness.js';

// Findings 9 and 11 of issue 12: a failing batch endpoint falls back to single calls; a
// committed batch whose answer was lost costs one re-read, not a replay; Cloudflare's
// error_chain reaches the report; a run whose every set is in conflict says so.

const own = ownedPerTest();

const isBatch = (q: { url: string }) => q.url.endsWith('/batch');

describe('finding 9: the batch endpoint answering 500', () => {
  it('after 3 batch attempts (each followed by a re-read) the changes go as single calls; later batches skip it', async () => {
    const f = own.fake(await startFakeCloudflare());
    f.inject({ when: isBatch, status: 500, code: 10001, message: 'Internal Server Error', times: 1000 });
    const { sync } = own.sync(await startSync(syncDocument(f), f));
    const report = await firstRun(sync);
    expect(report.result).toBe('ok');
    expect(zoneView(f.records())).toEqual(FIRST_SYNC);
    expect(requestsSince(f)).toEqual([
      'GET /dns_records',
      'GET /dns_records/usage',
      ...Array(3).fill(['POST /dns_records/batch', 'GET /dns_records']).flat(),
      ...Array(10).fill('POST /dns_records'), // the claims, one by one
      'GET /dns_records',
      ...Array(10).fill('POST /dns_records'), // their records: the batch endpoint is skipped for 5 minutes
    ]);
    expect(report.requests).toBe(29);
  });
});

describe('finding 11: diagnostics', () => {
  it("Cloudflare's error_chain is kept: the root cause's code and every message", async () => {
    const f = own.fake(await startFakeCloudflare({ errorChain: true }));
    f.refuse = (rec) => (rec.name === 'singapore.api.example.com' && rec.type === 'AAAA' ? { code: 9006, message: 'Content for AAAA record must be a valid IPv6 address.' } : undefined);
    const { sync } = own.sync(await startSync(syncDocument(f), f));
    const report = await firstRun(sync);
    expect(report.failures).toEqual([
      { op: 'create', record: 'singapore.api.example.com AAAA 2001:db8:2::20 ttl=60', code: 9006, message: '400 1004 DNS Validation Error: 9006 Content for AAAA record must be a valid IPv6 address.', retryable: false },
    ]);
    expect(zoneView(f.records())).toEqual(FIRST_SYNC.filter((r) => r !== 'singapore.api.example.com AAAA 2001:db8:2::20'));
  });

  it('a run where every set is in conflict reports conflict, not ok (one list request)', async () => {
    const f = own.fake(await startFakeCloudflare());
    for (const r of FIRST_SYNC) {
      const [name, type, content] = r.split(' ');
      f.seed({ name, type, content, ttl: 300, comment: 'team-b' });
    }
    const registry = new Registry();
    const { sync } = own.sync(await startSync(syncDocument(f), f, { observer: new SyncMetrics(registry) }));
    const report = await firstRun(sync);
    expect(report.result).toBe('conflict');
    expect(report.plan?.conflicts).toHaveLength(10);
    expect(requestsSince(f)).toEqual(['GET /dns_records']);
    const runs = (await registry.getSingleMetric('geosteer_sync_runs_total')!.get()).values.map((v) => `${v.labels.result}=${v.value}`);
    expect(runs).toEqual(['conflict=1']);
    expect((await registry.getSingleMetric('geosteer_sync_conflicts')!.get()).values[0].value).toBe(10);
  });

  it('a committed claim batch answered 502: one re-read shows it landed; nothing is replayed (6 requests)', async () => {
    const f = own.fake(await startFakeCloudflare());
    f.inject({ when: isBatch, status: 502, code: 10001, message: 'Bad Gateway', afterCommit: true, times: 1 });
    const { sync } = own.sync(await startSync(syncDocument(f), f));
    const report = await firstRun(sync);
    expect(report.result).toBe('ok');
    expect(report.failures).toEqual([]);
    expect(zoneView(f.records())).toEqual(FIRST_SYNC);
    expect(f.records().filter((r) => r.name.startsWith('_geosteer-'))).toHaveLength(10);
    expect(requestsSince(f)).toEqual(['GET /dns_records', 'GET /dns_records/usage', 'POST /dns_records/batch', 'GET /dns_records', 'GET /dns_records', 'POST /dns_records/batch']);
  });

  it('a committed record batch answered 502: one re-read, nothing replayed', async () => {
    const f = own.fake(await startFakeCloudflare());
    let batches = 0;
    f.inject({ when: (q) => isBatch(q) && ++batches === 2, status: 502, code: 10001, message: 'Bad Gateway', afterCommit: true, times: 1 });
    const { sync } = own.sync(await startSync(syncDocument(f), f));
    const report = await firstRun(sync);
    expect([report.result, report.applied]).toEqual(['ok', 20]);
    expect(zoneView(f.records())).toEqual(FIRST_SYNC);
    expect(requestsSince(f)).toEqual(['GET /dns_records', 'GET /dns_records/usage', 'POST /dns_records/batch', 'GET /dns_records', 'POST /dns_records/batch', 'GET /dns_records']);
  });

  it('a 503 with a text body on a listing is retried after a back-off', async () => {
    const f = own.fake(await startFakeCloudflare());
    f.inject({ when: (q) => q.method === 'GET', status: 503, code: 0, message: 'Service Unavailable', text: true, times: 1 });
    const started = own.sync(await startSync(syncDocument(f), f));
    const { sync } = started;
    const report = await firstRun(sync);
    expect(report.result).toBe('ok');
    expect(f.requests.map((q) => q.status)).toEqual([503, 200, 200, 200, 200, 200]);
    expect(started.timers.slept).toEqual([875]); // 1 s with jitter (random 0.5)
  });
});
