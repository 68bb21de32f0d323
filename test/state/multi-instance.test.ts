import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_MS, startInstance, type Instance } from '../support/geosteer-instance.js';
import { describeWithRedis, eventually, startRedis, type TestRedis } from '../support/redis-server.js';

// Several geosteer instances, each the production wiring (state.store: redis: the service's
// own RedisStateStore and health quorum), sharing one real redis-server, queried over real
// UDP. An instance's own health observations come from Alertmanager posts to it.

const JAPAN = '202.32.0.0/24'; // rule [tokyo, taiwan]
const BRAZIL = '189.0.0.0/24'; // default [taiwan, tokyo]
const TOKYO = '198.51.100.30';
const TAIWAN = '198.51.100.10';

let prefixes = 0;
const standalone = (url: string) => ({ mode: 'standalone' as const, url });

describeWithRedis('several instances sharing state through Redis', () => {
  let redis: TestRedis;
  let instances: Instance[] = [];
  const start = async (n: number, resyncIntervalMs?: number, quorum?: number) => {
    const prefix = `multi${process.pid}-${++prefixes}`;
    instances = await Promise.all(Array.from({ length: n }, (_, i) => startInstance(standalone(redis.url), prefix, `geo-${'abc'[i]}`, resyncIntervalMs, { quorum })));
    return { prefix, instances };
  };
  beforeAll(async () => {
    redis = await startRedis({ durable: true });
  });
  afterEach(async () => {
    await Promise.all(instances.map((i) => i.close()));
    instances = [];
  });
  afterAll(async () => {
    await redis?.stop();
  });

  describe('propagation', () => {
    it('a weight change made on one instance shows in another instance\'s DNS answers within 1 s', async () => {
      const { instances: [a, b] } = await start(2);
      expect(await b.answer(JAPAN)).toBe(TOKYO);
      await a.store.setWeight('tokyo', 0);
      expect(await a.answer(JAPAN)).toBe(TAIWAN); // the writer's own answers change before the write returns
      await eventually(async () => (await b.answer(JAPAN)) === TAIWAN, 'b answers taiwan once tokyo has weight 0', 1000);
      await b.store.setWeight('tokyo', null);
      await eventually(async () => (await a.answer(JAPAN)) === TOKYO, 'a answers tokyo again', 1000);
    });

    it('a drain made on one instance shows in the others\' answers within 1 s', async () => {
      const { instances: [a, b, c] } = await start(3);
      await b.store.setDrain('taiwan', { reason: 'datacenter move', by: 'ops', at: Date.now() });
      await eventually(async () => (await a.answer(BRAZIL)) === TOKYO && (await c.answer(BRAZIL)) === TOKYO, 'a and c skip drained taiwan', 1000);
    });

    it('the periodic resync repairs a change whose message was missed', async () => {
      const { prefix, instances: [a] } = await start(1, 200);
      const raw = new Redis(redis.url);
      try {
        // written behind geosteer's back, without the change message: only a full read can see it
        await raw.hset(`{${prefix}}:weights`, 'tokyo', JSON.stringify({ value: 0, version: 1000, at: 0, by: 'manual' }));
        await raw.set(`{${prefix}}:version`, '1000');
        await eventually(async () => (await a.answer(JAPAN)) === TAIWAN, 'resync applies the unannounced write', 2000);
      } finally {
        raw.disconnect();
      }
    });
  });

  describe('health quorum', () => {
    it('one instance seeing a region down moves nothing; a majority does, on every instance', async () => {
      const { instances: [a, b, c] } = await start(3);
      await eventually(() => instances.every((i) => i.store.current().observations.size === 3), 'all three instances are live');
      await a.see('region:tokyo', false);
      // give the observation time to reach everyone, then check nothing moved
      await eventually(() => c.store.current().observations.get('geo-a')?.targets['region:tokyo'] === false, 'c has a\'s observation');
      for (const i of instances) expect(await i.answer(JAPAN)).toBe(TOKYO);
      expect(c.server.service.explain('api.example.com', '202.32.0.1').healthQuorum?.find((v) => v.target === 'region:tokyo')).toMatchObject({ up: true, downVotes: 1, quorum: 2, live: 3, instances: { 'geo-a': false } });

      await b.see('region:tokyo', false);
      for (const i of instances) await eventually(async () => (await i.answer(JAPAN)) === TAIWAN, `${i.id} fails over to taiwan`, 1000);
      const view = c.server.service.explain('api.example.com', '202.32.0.1').healthQuorum?.find((v) => v.target === 'region:tokyo');
      // every instance votes on every target its config names: c sees tokyo up
      expect(view).toEqual({ target: 'region:tokyo', up: false, downVotes: 2, quorum: 2, live: 3, instances: { 'geo-a': false, 'geo-b': false, 'geo-c': true } });
    });

    it('one remote observation that moves the verdict costs one compile; heartbeats cost none', async () => {
      const { prefix, instances: [a, b] } = await start(2, undefined, 1);
      await eventually(() => a.store.current().observations.size === 2, 'a counts two live instances');
      const compiles = () => a.server.service.control.compiles;
      const before = compiles();
      await b.see('region:tokyo', false);
      await eventually(async () => (await a.answer(JAPAN)) === TAIWAN, 'a fails over on b\'s observation (quorum 1)', 1000);
      expect(compiles()).toBe(before + 1);
      // b's next heartbeats (same opinions, read back from Redis) change nothing on a
      const raw = new Redis(redis.url);
      try {
        const publishedAt = async () => JSON.parse((await raw.get(`{${prefix}}:obs:geo-b`)) ?? '{"at":0}').at as number;
        const seen = await publishedAt();
        await eventually(async () => (await publishedAt()) >= seen + 2 * HEARTBEAT_MS, 'two more heartbeats of b', 2000);
      } finally {
        raw.disconnect();
      }
      expect(compiles()).toBe(before + 1);
    });

    it('an endpoint is held down by a quorum the same way', async () => {
      const { instances: [a, b, c] } = await start(3);
      const healthyOnC = () => c.server.snapshot().status.get('tokyo')!.healthyEndpoints;
      await eventually(() => c.store.current().observations.size === 3, 'c counts three live instances');
      await a.see('endpoint:tokyo/jp-v4', false);
      await eventually(() => c.store.current().observations.get('geo-a')?.targets['endpoint:tokyo/jp-v4'] === false, 'c has a\'s observation');
      expect(healthyOnC().has('jp-v4')).toBe(true);
      await b.see('endpoint:tokyo/jp-v4', false);
      await eventually(() => !healthyOnC().has('jp-v4'), 'c holds jp-v4 down', 1000);
      expect(healthyOnC().has('jp-v6')).toBe(true);
    });

    it('an instance whose heartbeat stops drops out of the quorum', async () => {
      const { instances: [a, b, c] } = await start(3);
      await eventually(() => c.store.current().observations.size === 3, 'c counts three live instances');
      await a.see('region:tokyo', false);
      await b.see('region:tokyo', false);
      await eventually(async () => (await c.answer(JAPAN)) === TAIWAN, 'a and b form a quorum', 1000);
      await b.server.service.health.stop(); // b goes silent; its observations expire after TTL_MS
      await eventually(() => !c.store.current().observations.has('geo-b'), 'b dropped from c\'s live set', 2000);
      // live: a (down), c (up); majority of 2 is 2, so a alone cannot hold tokyo down
      await eventually(async () => (await c.answer(JAPAN)) === TOKYO, 'tokyo is back on c', 1000);
      expect(c.server.service.explain('api.example.com', '202.32.0.1').healthQuorum?.find((v) => v.target === 'region:tokyo')).toMatchObject({ up: true, downVotes: 1, quorum: 2, live: 2 });
    });
  });

  describe('Redis restarted empty (no persistence)', () => {
    it('every instance keeps answering around the drained region until an operator republishes the drain; the first write after is applied', async () => {
      const empty = await startRedis();
      try {
        const prefix = `multi${process.pid}-${++prefixes}`;
        instances = await Promise.all(['geo-a', 'geo-b'].map((id) => startInstance(standalone(empty.url), prefix, id)));
        const [a, b] = instances;
        await a.store.setDrain('taiwan', { reason: 'datacenter move', by: 'ops', at: 1 });
        await eventually(async () => (await b.answer(BRAZIL)) === TOKYO, 'b skips drained taiwan', 1000);
        await empty.kill();
        await empty.restart();
        await eventually(() => instances.every((i) => i.store.status().reset?.reason === 'epoch_missing'), 'both detect the loss', 5000);
        for (const i of instances) expect(await i.answer(BRAZIL)).toBe(TOKYO);
        await a.store.confirmReset('republish', 'ops');
        await eventually(() => b.store.status().reset === undefined, 'b follows the decision', 1000);
        expect(await b.answer(BRAZIL)).toBe(TOKYO);
        await b.store.setDrain('taiwan', null);
        expect(await b.answer(BRAZIL)).toBe(TAIWAN);
        await eventually(async () => (await a.answer(BRAZIL)) === TAIWAN, 'a has the undrain', 1000);
      } finally {
        await Promise.all(instances.map((i) => i.close()));
        instances = [];
        await empty.stop();
      }
    });
  });

  describe('Redis down', () => {
    it('keeps answering, refuses writes with 503-class errors, and converges after restart with no write lost', async () => {
      const { instances: [a, b] } = await start(2);
      await eventually(() => a.store.current().observations.size === 2, 'both instances are live');
      await a.store.setWeight('tokyo', 0);
      await b.store.setDrain('us-west', { reason: 'upgrade', by: 'ops', at: 1 });
      await eventually(async () => (await b.answer(JAPAN)) === TAIWAN, 'b has the weight change');
      await b.see('region:tokyo', false); // b alone is not a quorum of two
      const tokyoOnB = () => b.server.service.explain('api.example.com', '202.32.0.1').healthQuorum?.find((v) => v.target === 'region:tokyo');
      await eventually(() => tokyoOnB()?.live === 2, 'b counts both instances');
      expect(tokyoOnB()).toMatchObject({ up: true, live: 2 });

      await redis.kill();
      await eventually(() => !a.store.connected && !b.store.connected, 'both notice Redis is gone', 3000);

      // DNS keeps answering from the last snapshot
      expect(await a.answer(JAPAN)).toBe(TAIWAN);
      expect(await b.answer(JAPAN)).toBe(TAIWAN);
      // admin writes are refused, loudly, and nothing changes locally
      await expect(a.store.setWeight('tokyo', 50)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('nothing was written') });
      await expect(b.store.setDrain('us-west', null)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
      expect(a.store.current().weights.get('tokyo')).toBe(0);
      // each instance falls back to its own checks once the other's observations expire
      // (a's observation may already have expired by the time both noticed: that is the point)
      await eventually(() => tokyoOnB()?.live === 1, 'b stops counting a', 2000);
      expect(tokyoOnB()).toMatchObject({ up: false, live: 1, quorum: 1, instances: { 'geo-b': false } });

      await redis.restart();
      await eventually(() => a.store.connected && b.store.connected, 'both reconnect and resync', 5000);
      // nothing acknowledged was lost, nothing refused appeared
      for (const i of [a, b]) {
        expect(i.store.current().weights.get('tokyo')).toBe(0);
        expect(i.store.current().drains.get('us-west')).toMatchObject({ reason: 'upgrade' });
      }
      // writes work again and propagate
      await a.store.setWeight('tokyo', null);
      await eventually(async () => b.store.current().weights.has('tokyo') === false, 'b sees the new write', 1000);
      // observations flow again: both live, b alone is no quorum
      await eventually(() => b.store.current().observations.size === 2, 'b counts a again', 2000);
      await eventually(async () => (await b.answer(JAPAN)) === TOKYO, 'b back to the shared view', 1000);
    });
  });
});
