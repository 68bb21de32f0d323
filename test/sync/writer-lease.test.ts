import { describe, expect, it } from 'vitest';
import { memoryCoordination } from '../../src/sync/start-sync.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { loadDocument } from '../support/test-server.js';
import { firstRun, inputOf, nextRun, ownedPerTest, requestsSince, startSync, syncDocument, zoneView } from './sync-harness.js';
import { VirtualTimers } from './virtual-timers.js';

// Finding 5 of issue 12: instances of one deployment (same owner_id) see a drain at
// different moments; only the holder of the owner's writer lease writes, so the failover
// record follows one view instead of flipping. Here two syncs share one in-memory lease
// (as instances share the Redis one, test/sync/redis-coordination.test.ts).

const own = ownedPerTest();

let fake: FakeCloudflare;

const failoverA = () => zoneView(fake.records()).filter((r) => r.startsWith('api.example.com A '));

describe('finding 5: one writer per owner id', () => {
  it('the standby sends nothing while the writer holds the lease; the record does not flip; stop() hands over at once', async () => {
    fake = own.fake(await startFakeCloudflare());
    const timers = new VirtualTimers();
    const doc = syncDocument(fake);
    const coordination = memoryCoordination(loadDocument(doc).config, () => timers.now());
    const one = own.sync(await startSync(doc, fake, { timers, coordination, instanceId: 'geo-1' }));
    await firstRun(one.sync);
    const afterFirst = fake.requests.length;
    // the second instance sees taiwan drained (its region's checks saw it first)
    const two = own.sync(await startSync(doc, fake, { timers, coordination, instanceId: 'geo-2', input: inputOf(doc, undefined, ['taiwan']) }));
    await two.sync.syncNow();
    expect((await two.sync.report()).writer).toEqual({ role: 'standby', holder: 'geo-1' });
    expect((await two.sync.report()).last).toBeNull();
    // 75 s of both instances being woken up: only geo-1 writes, with its view
    for (let i = 0; i < 5; i++) {
      one.source.set(inputOf(doc, { regionUp: () => true, endpointUp: () => i % 2 === 0 }));
      two.source.set(inputOf(doc, { regionUp: () => true, endpointUp: () => i % 2 === 0 }, ['taiwan']));
      timers.advance(15_000);
      await one.sync.syncNow();
      await two.sync.syncNow();
    }
    expect(failoverA()).toEqual(['api.example.com A 198.51.100.10']);
    expect(requestsSince(fake, afterFirst)).toEqual(Array(5).fill('GET /dns_records'));
    expect((await one.sync.report()).writer).toEqual({ role: 'writer', holder: 'geo-1' });

    // geo-1 stops: it releases the lease, geo-2 takes over on its next pass and publishes its view
    await one.sync.stop();
    const before = (await two.sync.report()).last;
    const from = fake.requests.length;
    await two.sync.syncNow();
    const took = await nextRun(two.sync, before);
    expect(took.result).toBe('ok');
    expect(failoverA()).toEqual(['api.example.com A 198.51.100.30']);
    expect(requestsSince(fake, from)).toEqual(['GET /dns_records', 'POST /dns_records/batch']);
    expect((await two.sync.report()).writer).toEqual({ role: 'writer', holder: 'geo-2' });
  });

  it('a writer that dies without releasing is replaced once its lease expires (30 s)', async () => {
    fake = own.fake(await startFakeCloudflare());
    const timers = new VirtualTimers();
    const doc = syncDocument(fake);
    const coordination = memoryCoordination(loadDocument(doc).config, () => timers.now());
    // geo-0 took the lease and vanished (no renewals, no release)
    await coordination.lease.acquire('geo-0', 30_000);
    const two = own.sync(await startSync(doc, fake, { timers, coordination, instanceId: 'geo-2' }));
    await two.sync.syncNow();
    const report = await two.sync.report();
    expect(report.writer).toEqual({ role: 'standby', holder: 'geo-0' });
    expect(report.nextAttemptAt).toBe(new Date(timers.now() + 30_001).toISOString());
    expect(fake.requests).toEqual([]);
    timers.advance(30_001);
    const first = await nextRun(two.sync, null);
    expect([first.result, first.requests]).toEqual(['ok', 5]);
  });
});
