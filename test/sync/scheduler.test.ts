import { afterEach, describe, expect, it } from 'vitest';
import { SyncScheduler, type PassVerdict } from '../../src/sync/sync-scheduler.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { inputOf, startSync, syncDocument } from './sync-harness.js';
import { VirtualTimers } from './virtual-timers.js';

// Scheduling apart from the pass (issue 11 item 6, issue 12): one pass at a time, requests
// during a pass fold into one follow-up, holds, and stop(): no provider call after it
// resolved, and a caller that joined a running pass never falls through to another.

/** A scheduler around a pass the test resolves by hand. */
function harness(verdicts: PassVerdict[] = []) {
  const timers = new VirtualTimers();
  const passes: { reason: string; signal: AbortSignal; finish: () => void }[] = [];
  const scheduler = new SyncScheduler({
    timers,
    intervalMs: 60_000,
    debounceMs: 1000,
    pass: (reason, signal) =>
      new Promise<PassVerdict>((resolve) => {
        const verdict = verdicts.shift() ?? {};
        passes.push({ reason, signal, finish: () => resolve(verdict) });
      }),
  });
  return { timers, passes, scheduler };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('SyncScheduler', () => {
  it('folds requests made during a pass into one follow-up, then arms the interval', async () => {
    const { timers, passes, scheduler } = harness();
    scheduler.start();
    const a = scheduler.runNow('manual');
    const b = scheduler.runNow('manual again');
    scheduler.changed('snapshot change');
    timers.advance(1000);
    expect(passes.map((p) => p.reason)).toEqual(['start']);
    passes[0].finish();
    await tick();
    expect(passes.map((p) => p.reason)).toEqual(['start', 'manual']);
    passes[1].finish();
    await Promise.all([a, b]);
    expect(passes).toHaveLength(2);
    expect(scheduler.nextAttemptAt()).toBe(timers.now() + 60_000);
    timers.advance(60_000);
    expect(passes.map((p) => p.reason)).toEqual(['start', 'manual', 'interval']);
  });

  it('a hold keeps snapshot changes back until the retry; runNow still runs', async () => {
    const { timers, passes, scheduler } = harness([{ retryInMs: 30_000, hold: true }, { retryInMs: 60_000, hold: true }]);
    scheduler.start();
    passes[0].finish();
    await tick();
    scheduler.changed('snapshot change');
    timers.advance(5000);
    expect(passes).toHaveLength(1);
    const manual = scheduler.runNow('manual');
    await tick();
    expect(passes.map((p) => p.reason)).toEqual(['start', 'manual']);
    passes[1].finish();
    await manual;
    timers.advance(60_000);
    expect(passes.map((p) => p.reason)).toEqual(['start', 'manual', 'retry']);
  });

  it('stop() aborts the running pass, waits for it, and no timer runs another', async () => {
    const { timers, passes, scheduler } = harness();
    scheduler.start();
    const joined = scheduler.runNow('joined');
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await tick();
    expect(passes[0].signal.aborted).toBe(true);
    expect(stopped).toBe(false); // still waiting for the pass to return
    passes[0].finish();
    await stopping;
    await joined;
    scheduler.changed('late change');
    timers.advance(3_600_000);
    await scheduler.runNow('after stop');
    expect(passes).toHaveLength(1);
    expect(scheduler.nextAttemptAt()).toBeUndefined();
  });
});

describe('stop() of the Cloudflare sync', () => {
  let fake: FakeCloudflare | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('during a write: resolves without waiting for the held request; nothing is sent afterwards', async () => {
    const f = (fake = await startFakeCloudflare());
    const hold = f.hold((q) => q.url.endsWith('/batch'));
    const started = await startSync(syncDocument(f), f);
    await hold.arrived;
    await started.sync.stop();
    const after = f.requests.length;
    hold.release();
    started.source.set(inputOf(syncDocument(f), undefined, ['taiwan']));
    started.timers.advance(3_600_000);
    await started.sync.syncNow();
    expect(after).toBe(2); // list and usage answered; the batch was held
    await f.close(); // waits for the held request's answer to be written
    expect(f.requests.map((q) => new URL(q.url, 'http://x').pathname.split('/').at(-1))).toEqual(['dns_records', 'usage', 'batch']);
    fake = undefined;
  });

  it('a syncNow() that joined the running pass does not fall through to a second pass after stop()', async () => {
    const f = (fake = await startFakeCloudflare());
    const hold = f.hold((q) => q.method === 'GET');
    const started = await startSync(syncDocument(f), f);
    await hold.arrived;
    const joined = started.sync.syncNow('joined');
    await started.sync.stop();
    hold.release();
    expect(await joined).toBeUndefined(); // no pass finished: the only one was aborted by stop()
    await f.close();
    expect(f.requests).toHaveLength(1);
    fake = undefined;
  });
});
