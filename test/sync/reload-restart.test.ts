import { describe, expect, it } from 'vitest';
import { memoryCoordination } from '../../src/sync/start-sync.js';
import { startFakeCloudflare } from '../support/fake-cloudflare.js';
import { loadDocument } from '../support/test-server.js';
import { FIRST_SYNC, firstRun, ownedPerTest, requestsSince, startSync, syncDocument, zoneView } from './sync-harness.js';
import { VirtualTimers } from './virtual-timers.js';

// Finding 6 of issue 12: a name removed from the config. Under `policy: sync` geosteer owns
// its registry entries wherever they are in the zone, so its orphans are deleted on the
// next run whether the removal arrived by a reload (stop() + startCloudflareSync() with the
// new config, keeping the shared budget and lease) or by a restart (a new process); under
// upsert-only both keep them.

const own = ownedPerTest();

function withEdge(doc: Record<string, any>): Record<string, any> {
  doc.names.push({ name: 'edge.example.com', default: ['tokyo'] });
  doc.sync.cloudflare.names.push({ name: 'edge.example.com', per_region: true, failover_record: true, ttl: 60 });
  return doc;
}

function withoutEdge(doc: Record<string, any>): Record<string, any> {
  doc.names = doc.names.filter((n: { name: string }) => n.name !== 'edge.example.com');
  doc.sync.cloudflare.names = doc.sync.cloudflare.names.filter((n: { name: string }) => n.name !== 'edge.example.com');
  return doc;
}

/** Converges with edge.example.com, then removes it by `how`; returns the zone and the requests of the first run after. */
async function removeEdge(policy: 'sync' | 'upsert-only', how: 'reload' | 'restart') {
  const fake = own.fake(await startFakeCloudflare());
  const timers = new VirtualTimers();
  const before = withEdge(syncDocument(fake, { policy }));
  const coordination = memoryCoordination(loadDocument(before).config, () => timers.now());
  const old = own.sync(await startSync(before, fake, { timers, coordination }));
  await firstRun(old.sync);
  expect(zoneView(fake.records()).filter((r) => r.includes('edge.example.com'))).toEqual(['edge.example.com A 198.51.100.30', 'edge.example.com AAAA 2001:db8:3::30', 'tokyo.edge.example.com A 198.51.100.30', 'tokyo.edge.example.com AAAA 2001:db8:3::30']);
  await old.sync.stop();
  const from = fake.requests.length;
  const after = withoutEdge(syncDocument(fake, { policy }));
  // a reload keeps the process's budget, lease and clock; a restart starts from nothing
  const next = own.sync(how === 'reload' ? await startSync(after, fake, { timers, coordination }) : await startSync(after, fake));
  const report = await firstRun(next.sync);
  return { zone: zoneView(fake.records()), registry: fake.records().filter((r) => r.name.startsWith('_geosteer-')).length, requests: requestsSince(fake, from), result: report.result };
}

describe('finding 6: reload and restart agree on a removed name', () => {
  it('policy sync: both delete its records and registry entries (one list, one batch)', async () => {
    const reload = await removeEdge('sync', 'reload');
    const restart = await removeEdge('sync', 'restart');
    expect(reload).toEqual(restart);
    expect(reload).toEqual({ zone: FIRST_SYNC, registry: 10, requests: ['GET /dns_records', 'POST /dns_records/batch'], result: 'ok' });
  });

  it('policy upsert-only: both keep them (one list, nothing written)', async () => {
    const reload = await removeEdge('upsert-only', 'reload');
    const restart = await removeEdge('upsert-only', 'restart');
    expect(reload).toEqual(restart);
    expect(reload.requests).toEqual(['GET /dns_records']);
    expect(reload.zone.filter((r) => r.includes('edge.example.com'))).toHaveLength(4);
    expect(reload.registry).toBe(14);
  });
});
