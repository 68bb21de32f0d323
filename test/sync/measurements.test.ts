import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/shared/logger.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { firstRun, nextRun, ownedPerTest, type StartedSync, startSync, syncDocument, withNames } from './sync-harness.js';
import { VirtualTimers } from './virtual-timers.js';

// The closing figures of issue 12 for an 800-record zone (100 names x 4 regions x A+AAAA),
// against the fake API through the real SDK. Before (main bb62055): 844 requests per
// refused try and 1136 in the first minute; 53 requests and 40 warning lines per try with
// the quota 40 records short; one list request per synced name on every quiet run.

const own = ownedPerTest();

function doc800(f: FakeCloudflare): Record<string, any> {
  const doc = syncDocument(f);
  doc.sync.cloudflare.names = [];
  return withNames(doc, 100);
}

/** A logger that keeps the level of every line. */
function countingLogger(lines: string[]): Logger {
  const log: Logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => void lines.push('info'),
    warn: () => void lines.push('warn'),
    error: () => void lines.push('error'),
    fatal: () => void lines.push('fatal'),
    child: () => log,
  };
  return log;
}

async function nextTry(s: StartedSync) {
  const { last, nextAttemptAt } = await s.sync.report();
  s.timers.advance(Date.parse(nextAttemptAt!) - s.timers.now());
  return nextRun(s.sync, last);
}

describe('800-record zone: requests per run', () => {
  it('first run 11 (list, usage, 4 claim batches, list, 4 record batches); quiet run 1', async () => {
    const f = own.fake(await startFakeCloudflare());
    const s = own.sync(await startSync(doc800(f), f));
    const first = await firstRun(s.sync);
    expect([first.result, first.requests, first.applied]).toEqual(['ok', 11, 1600]);
    expect(f.records()).toHaveLength(1600);
    const quiet = (await s.sync.syncNow())!;
    expect([quiet.result, quiet.requests, quiet.plan?.noops]).toEqual(['ok', 1, 800]);
    expect(s.timers.slept).toEqual([]); // inside the budget's burst: no pause
  });

  it('read-only token: 3 requests per try, 6 in the first minute (tries at 0 s and 30 s)', async () => {
    const f = own.fake(await startFakeCloudflare());
    const s = own.sync(await startSync(doc800(f), f, { token: f.readOnlyToken }));
    const tries = [await firstRun(s.sync)];
    tries.push(await nextTry(s));
    expect(tries.map((t) => [t.result, t.requests])).toEqual([['refused', 3], ['refused', 3]]);
    expect(Date.parse(tries[1].startedAt) - Date.parse(tries[0].startedAt)).toBe(30_000);
    expect(f.requests).toHaveLength(6);
  });

  it('quota 40 records short: 2 requests and one error line per try, nothing created', async () => {
    const f = own.fake(await startFakeCloudflare({ quota: 1560 }));
    const lines: string[] = [];
    const s = own.sync(await startSync(doc800(f), f, { log: countingLogger(lines) }));
    const first = await firstRun(s.sync);
    expect([first.result, first.requests, first.quota?.doNotFit]).toEqual(['refused', 2, 40]);
    expect(lines.filter((l) => l !== 'info')).toEqual(['error']);
    lines.length = 0;
    const second = await nextTry(s);
    expect([second.result, second.requests]).toEqual(['refused', 2]);
    expect(lines.filter((l) => l !== 'info')).toEqual(['error']);
    expect(f.records()).toEqual([]);
  });

  it('a 5-minute rate-limit block: converged 300 s after it started, 1 + 11 requests', async () => {
    const timers = new VirtualTimers();
    const f = own.fake(await startFakeCloudflare({ now: () => timers.now() }));
    const blockedAt = timers.now();
    f.blockFor(300_000);
    const s = own.sync(await startSync(doc800(f), f, { timers }));
    const blocked = await firstRun(s.sync);
    const converged = await nextTry(s);
    expect([blocked.result, blocked.requests, converged.result, converged.requests]).toEqual(['failed', 1, 'ok', 11]);
    expect(Date.parse(converged.finishedAt) - blockedAt).toBe(300_000);
  });
});
