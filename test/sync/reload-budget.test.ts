import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/events/event-log.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { syncOutput, type SyncOutput } from '../../src/service/sync-output.js';
import { silentLogger } from '../../src/shared/logger.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { exampleDocument, loadDocument, startServer, type TestServer } from '../support/test-server.js';
import { firstRun, nextRun, syncDocument } from './sync-harness.js';
import { VirtualTimers } from './virtual-timers.js';

// A reload that changes `sync` restarts the sync on the new settings. With state.store:
// memory the request budget is still this process's one: a Retry-After block Cloudflare
// enforces on the token outlives the reload, and the burst is not handed out again.

let server: TestServer | undefined;
let output: SyncOutput | undefined;
let fake: FakeCloudflare | undefined;
afterEach(async () => {
  await output?.stop();
  await server?.close();
  await fake?.close();
  server = output = fake = undefined;
});

describe('the sync output across a reload (state.store: memory)', () => {
  it('a 5-minute block (429, Retry-After 300) is still waited out by the sync the reload started', async () => {
    const timers = new VirtualTimers();
    fake = await startFakeCloudflare({ now: () => timers.now() });
    fake.blockFor(300_000);
    server = await startServer(exampleDocument());
    const before = loadDocument(syncDocument(fake));
    const after = loadDocument(syncDocument(fake, { interval: '30m' }));
    let config = before;
    const out = syncOutput({ control: server.service.control, config: () => config, log: silentLogger(), events: new MemoryEventLog(), metrics: new SyncMetrics(new Registry()), env: { TEST_CF_TOKEN: fake.token }, timers });
    output = out;
    const start = timers.now();
    await out.start();
    const blocked = await firstRun(out.current()!);
    expect(blocked).toMatchObject({ result: 'failed', requests: 1 });

    config = after;
    await out.reload!(after, before);
    const sync = out.current()!;
    expect((await sync.report()).budget?.blockedUntil).toBe(new Date(start + 300_000).toISOString());
    const deferred = await firstRun(sync);
    expect(deferred).toMatchObject({ result: 'failed', requests: 0, error: `Cloudflare requests are paused until ${new Date(start + 300_000).toISOString()} (request budget or Retry-After); longer than budget.max_wait, so this run stops here` });
    expect(fake.requests).toHaveLength(1); // nothing sent into the block
    timers.advance(start + 300_000 - timers.now());
    const converged = await nextRun(sync, deferred);
    expect(converged).toMatchObject({ result: 'ok', requests: 5 });
    expect(Date.parse(converged.startedAt) - start).toBe(300_000);
    expect(fake.requests.map((q) => q.status)).toEqual([429, 200, 200, 200, 200, 200]);
  });
});
