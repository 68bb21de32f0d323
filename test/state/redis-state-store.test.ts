import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeosteerError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { RedisStateStore } from '../../src/state/redis-state-store.js';
import { stateStoreContract } from '../contracts/state-store.contract.js';
import { describeWithRedis, eventually, freePort, startRedis, startSentinel, type TestRedis } from '../support/redis-server.js';
import { startReplyHoldingProxy } from '../support/reply-holding-proxy.js';

let prefixes = 0;
/** A prefix no other test uses, so tests share one redis-server without seeing each other. */
function freshPrefix(): string {
  return `t${process.pid}-${++prefixes}`;
}

function redisStore(url: string, keyPrefix: string, instanceId: string): RedisStateStore {
  return new RedisStateStore({ connection: { mode: 'standalone', url }, keyPrefix, instanceId, log: silentLogger(), resyncIntervalMs: 500 });
}

describeWithRedis('RedisStateStore', () => {
  let redis: TestRedis;
  let raw: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });

  describe('contract', () => {
    stateStoreContract(async () => {
      const prefix = freshPrefix();
      const store = redisStore(redis.url, prefix, 'a');
      const peer = redisStore(redis.url, prefix, 'b');
      await Promise.all([store.refresh(), peer.refresh()]);
      return { store, peer, close: async () => void (await Promise.all([store.close(), peer.close()])) };
    });
  });

  it('keeps every key under the configured prefix and stores versioned entries', async () => {
    const prefix = freshPrefix();
    const store = redisStore(redis.url, prefix, 'a');
    try {
      await store.refresh();
      await store.setWeight('tokyo', 25);
      await store.setDrain('taiwan', { reason: 'upgrade', by: 'ops', at: 5 });
      await store.publishObservations({ instance: 'a', at: 1, targets: { 'region:tokyo': true } }, 5000);
      const keys = await raw.keys(`*${prefix}*`);
      expect(keys.sort()).toEqual([`{${prefix}}:drains`, `{${prefix}}:epoch`, `{${prefix}}:instances`, `{${prefix}}:obs:a`, `{${prefix}}:version`, `{${prefix}}:weights`]);
      const entry = JSON.parse((await raw.hget(`{${prefix}}:weights`, 'tokyo'))!);
      expect(entry).toMatchObject({ value: 25, version: 1, by: 'a' });
    } finally {
      await store.close();
    }
  });

  it('ignores a change message older than what it holds, and malformed messages', async () => {
    const prefix = freshPrefix();
    const store = redisStore(redis.url, prefix, 'a');
    try {
      await store.refresh();
      await store.setWeight('tokyo', 10);
      await store.setWeight('tokyo', 20); // version 2
      const channel = `{${prefix}}:changes`;
      const epoch = store.status().epoch;
      await raw.publish(channel, JSON.stringify({ kind: 'weight', epoch, field: 'tokyo', entry: { value: 99, version: 1, at: 0, by: 'replayed' } }));
      await raw.publish(channel, 'not json');
      await raw.publish(channel, JSON.stringify({ kind: 'weight', epoch, field: 'tokyo', entry: { value: 'heavy', version: 50, at: 0, by: 'x' } }));
      // from another epoch: not applied by version (a full read settles it), whatever its version
      await raw.publish(channel, JSON.stringify({ kind: 'weight', epoch: 'another', field: 'tokyo', entry: { value: 77, version: 60, at: 0, by: 'x' } }));
      // a valid newer message proves the earlier ones were processed (pub/sub keeps order)
      await raw.publish(channel, JSON.stringify({ kind: 'weight', epoch, field: 'singapore', entry: { value: 5, version: 3, at: 0, by: 'x' } }));
      await eventually(() => store.current().weights.get('singapore') === 5, 'the newer message is applied');
      expect(store.current().weights.get('tokyo')).toBe(20);
    } finally {
      await store.close();
    }
  });

  it('refuses writes with STATE_UNAVAILABLE when Redis cannot be reached, and says nothing was written', async () => {
    const port = await freePort(); // nothing listens here
    const store = redisStore(`redis://127.0.0.1:${port}`, freshPrefix(), 'a');
    try {
      await expect(store.refresh(300)).rejects.toThrow(/not reachable within 300 ms/);
      expect(store.connected).toBe(false);
      const err = await store.setWeight('tokyo', 10).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GeosteerError);
      expect((err as GeosteerError).code).toBe('STATE_UNAVAILABLE');
      expect((err as GeosteerError).message).toBe(`state store redis://127.0.0.1:${port}: not connected; weight/drain changes are refused until Redis is back (nothing was written)`);
      await expect(store.setDrain('tokyo', { reason: 'x', by: 'y', at: 0 })).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
      expect(store.current().weights.size).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('a write Redis does not answer is refused after the command timeout, saying it may still be applied', async () => {
    const prefix = freshPrefix();
    const store = new RedisStateStore({ connection: { mode: 'standalone', url: redis.url }, keyPrefix: prefix, instanceId: 'a', log: silentLogger(), commandTimeoutMs: 200 });
    try {
      await store.refresh();
      await raw.call('CLIENT', 'PAUSE', '1000', 'WRITE'); // Redis holds every write command for 1 s
      const err = await store.setWeight('tokyo', 10).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STATE_UNAVAILABLE', message: `state store ${redis.url}: the write failed (no answer from Redis to the write within 200 ms); it may or may not have been applied, check the current state and retry` });
      expect(store.status().writesRefused).toBe(1);
      // it was held, not lost: once the pause ends Redis applies it, and the store learns it
      await eventually(async () => (await raw.hget(`{${prefix}}:weights`, 'tokyo')) !== null, 'Redis applies the held write', 3000);
      await eventually(() => store.current().weights.get('tokyo') === 10, 'the store applies its change message', 3000);
    } finally {
      await raw.call('CLIENT', 'UNPAUSE');
      await store.close();
    }
  });

  it('refresh() reads once the change channel is subscribed: a write between the first read and the subscription is not missed', async () => {
    const proxy = await startReplyHoldingProxy(redis.port);
    const prefix = freshPrefix();
    proxy.holdSubscribes(); // the store's SUBSCRIBE waits in the proxy
    const store = new RedisStateStore({ connection: { mode: 'standalone', url: proxy.url }, keyPrefix: prefix, instanceId: 'a', log: silentLogger(), resyncIntervalMs: 60_000 });
    const peer = redisStore(redis.url, prefix, 'b');
    try {
      const refreshed = store.refresh();
      await eventually(() => store.connected && proxy.heldBytes > 0, 'the store read Redis once (on connect); its SUBSCRIBE is held');
      await peer.refresh();
      await peer.setWeight('tokyo', 5); // after that read, before the subscription: no message reaches the store
      proxy.release();
      expect((await refreshed).weights).toEqual(new Map([['tokyo', 5]]));
      await peer.setWeight('tokyo', 6);
      await eventually(() => store.current().weights.get('tokyo') === 6, 'the next write arrives as a message');
    } finally {
      await Promise.all([store.close(), peer.close()]);
      await proxy.close();
    }
  });

  it('finds the master through Sentinel and writes there', async () => {
    const sentinel = await startSentinel(redis.port, 'geosteer-test');
    const prefix = freshPrefix();
    const store = new RedisStateStore({ connection: { mode: 'sentinel', sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: 'geosteer-test' }, keyPrefix: prefix, instanceId: 's', log: silentLogger() });
    try {
      await store.refresh();
      expect(store.connected).toBe(true);
      await store.setWeight('tokyo', 42);
      expect(JSON.parse((await raw.hget(`{${prefix}}:weights`, 'tokyo'))!)).toMatchObject({ value: 42 });
    } finally {
      await store.close();
      await sentinel.stop();
    }
  });
});
