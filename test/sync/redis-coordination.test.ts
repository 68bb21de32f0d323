import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { createRedisSyncCoordination } from '../../src/state/redis-sync-coordination.js';
import type { CloudflareSync } from '../../src/sync/reconciler.js';
import { MemoryRequestBudget, type RequestBudget } from '../../src/sync/request-budget.js';
import type { SyncCoordination } from '../../src/sync/start-sync.js';
import { MemoryWriterLease, type WriterLease } from '../../src/sync/writer-lease.js';
import { startFakeCloudflare } from '../support/fake-cloudflare.js';
import { describeWithRedis, startRedis, type TestRedis } from '../support/redis-server.js';
import { loadDocument } from '../support/test-server.js';
import { firstRun, inputOf, requestsSince, startSync, syncDocument, zoneView } from './sync-harness.js';
import { VirtualTimers } from './virtual-timers.js';

// The shared request budget and the per-owner writer lease: one contract run against the
// in-memory implementations and the Redis ones (a real redis-server on a free port), then
// finding 5 across two "instances" that share nothing but Redis.

let redis: TestRedis;
const closers: (() => Promise<void>)[] = [];

function redisConfig(prefix: string) {
  const doc = syncDocument({ zoneId: 'z', baseURL: 'http://127.0.0.1:1/client/v4' } as never, { budget: { requests: 60, window: '1m', burst: 3 } });
  doc.state = { store: 'redis', url: redis.url, key_prefix: prefix };
  return loadDocument(doc).config;
}

function redisCoordination(prefix: string, timers: VirtualTimers): SyncCoordination {
  const config = redisConfig(prefix);
  const c = createRedisSyncCoordination(config.state, config.sync!.cloudflare!, { log: silentLogger(), env: {}, now: () => timers.now() });
  closers.push(c.close);
  return c;
}

type Make = (timers: VirtualTimers, prefix: string) => { budget: RequestBudget; budget2: RequestBudget; lease: WriterLease };

const implementations: [string, Make][] = [
  [
    'memory',
    (timers) => {
      const budget = new MemoryRequestBudget({ requests: 60, windowMs: 60_000, burst: 3 }, () => timers.now());
      return { budget, budget2: budget, lease: new MemoryWriterLease(() => timers.now()) };
    },
  ],
  [
    'redis',
    (timers, prefix) => {
      const one = redisCoordination(prefix, timers);
      const two = redisCoordination(prefix, timers); // a second connection: another instance
      return { budget: one.budget, budget2: two.budget, lease: two.lease };
    },
  ],
];

describeWithRedis('sync coordination (request budget, writer lease)', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of closers.splice(0)) await c();
    await redis.stop();
  });

  let n = 0;
  for (const [label, make] of implementations) {
    describe(label, () => {
      it('token bucket: a burst, then one request per refill interval, shared by every holder', async () => {
        const timers = new VirtualTimers();
        const { budget, budget2 } = make(timers, `bucket${n++}`);
        expect([await budget.take(), await budget2.take(), await budget.take()]).toEqual([0, 0, 0]);
        expect(await budget2.take()).toBe(1000); // 60 per minute
        timers.advance(400);
        expect(await budget.take()).toBe(600);
        timers.advance(600);
        expect([await budget.take(), await budget2.take()]).toEqual([0, 1000]);
        expect(await budget.state()).toEqual({ tokens: 0, capacity: 3, refillPerSecond: 1, blockedUntil: undefined });
      });

      it("a block (Retry-After) and the server's own count (Ratelimit r=0) stop everyone", async () => {
        const timers = new VirtualTimers();
        const { budget, budget2 } = make(timers, `block${n++}`);
        await budget.blockUntil(timers.now() + 300_000);
        expect(await budget2.take()).toBe(300_000);
        timers.advance(300_000);
        expect(await budget2.take()).toBe(0);
        await budget.observe(0, 30_000);
        expect(await budget2.take()).toBe(30_000);
        expect((await budget.state()).blockedUntil).toBe(timers.now() + 30_000);
        timers.advance(30_000);
        await budget.observe(1, 60_000); // fewer left than the bucket holds: believe the server
        expect([await budget2.take(), await budget2.take()]).toEqual([0, 1000]);
      });

      it('writer lease: one holder, renewed by it, taken over after expiry, released by its holder only', async () => {
        const timers = new VirtualTimers();
        const { lease } = make(timers, `lease${n++}`);
        const t0 = timers.now();
        expect(await lease.acquire('a', 30_000)).toEqual({ held: true, holder: 'a', expiresAt: t0 + 30_000 });
        expect(await lease.acquire('b', 30_000)).toEqual({ held: false, holder: 'a', expiresAt: t0 + 30_000 });
        timers.advance(10_000);
        expect(await lease.acquire('a', 30_000)).toEqual({ held: true, holder: 'a', expiresAt: t0 + 40_000 });
        await lease.release('b');
        expect((await lease.acquire('b', 30_000)).held).toBe(false);
        timers.advance(30_000);
        expect(await lease.acquire('b', 30_000)).toEqual({ held: true, holder: 'b', expiresAt: t0 + 70_000 });
        await lease.release('b');
        expect(await lease.acquire('a', 30_000)).toEqual({ held: true, holder: 'a', expiresAt: t0 + 70_000 });
      });
    });
  }

  it('keys live under state.key_prefix (one hash tag with the state keys)', async () => {
    const timers = new VirtualTimers();
    const c = redisCoordination('keysprefix', timers);
    await c.budget.take();
    await c.lease.acquire('i1', 30_000);
    const probe = new Redis(redis.url);
    try {
      expect((await probe.keys('*keysprefix*')).sort()).toEqual(['{keysprefix}:sync:budget', '{keysprefix}:sync:lease:geo-test']);
      expect(await probe.pttl('{keysprefix}:sync:lease:geo-test')).toBeGreaterThan(30_000); // safety TTL: 2 x the lease
    } finally {
      probe.disconnect();
    }
  });

  it('finding 5 across instances that share only Redis: the standby sends nothing, the writer keeps its view', async () => {
    const fake = await startFakeCloudflare();
    const syncs: CloudflareSync[] = [];
    try {
      const timers = new VirtualTimers();
      const doc = syncDocument(fake);
      const one = await startSync(doc, fake, { timers, coordination: redisCoordination('finding5', timers), instanceId: 'geo-1' });
      syncs.push(one.sync);
      await firstRun(one.sync);
      const from = fake.requests.length;
      const two = await startSync(doc, fake, { timers, coordination: redisCoordination('finding5', timers), instanceId: 'geo-2', input: inputOf(doc, undefined, ['taiwan']) });
      syncs.push(two.sync);
      for (let i = 0; i < 3; i++) {
        await two.sync.syncNow();
        await one.sync.syncNow();
      }
      expect((await two.sync.report()).writer).toEqual({ role: 'standby', holder: 'geo-1' });
      expect(requestsSince(fake, from)).toEqual(Array(3).fill('GET /dns_records'));
      expect(zoneView(fake.records()).filter((r) => r.startsWith('api.example.com A '))).toEqual(['api.example.com A 198.51.100.10']);
      expect((await one.sync.report()).budget).toMatchObject({ capacity: 3, refillPerSecond: 1 }); // the shared Redis bucket's settings
    } finally {
      for (const s of syncs) await s.stop();
      await fake.close();
    }
  });
});
