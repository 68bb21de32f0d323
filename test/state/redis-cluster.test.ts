import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { RedisStateStore, type RedisConnection } from '../../src/state/redis-state-store.js';
import { stateStoreContract } from '../contracts/state-store.contract.js';
import { startInstance, type Instance } from '../support/geosteer-instance.js';
import { describeWithRedis, eventually, startRedisCluster, type TestRedisCluster } from '../support/redis-server.js';

// Issue 15 item 11: the store, pub/sub and the health quorum on a real Redis Cluster of three
// primaries (no replicas) started here, with a primary killed and a slot migrated mid-run.
// Every key of a deployment carries the hash tag {prefix}, so it all lives in one slot.

const JAPAN = '202.32.0.0/24'; // rule [tokyo, taiwan]
const BRAZIL = '189.0.0.0/24'; // default [taiwan, tokyo]
const TOKYO = '198.51.100.30';
const TAIWAN = '198.51.100.10';

let cluster: TestRedisCluster;
let connection: RedisConnection;
let prefixes = 0;
let instances: Instance[] = [];
const fresh = () => `c${process.pid}-${++prefixes}`;

describeWithRedis(
  'Redis Cluster (three primaries)',
  () => {
    beforeAll(async () => {
      cluster = await startRedisCluster({ primaries: 3 });
      connection = { mode: 'cluster', nodes: cluster.seeds };
    }, 30_000);
    afterEach(async () => {
      await Promise.all(instances.map((i) => i.close()));
      instances = [];
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    describe('contract', () => {
      stateStoreContract(async () => {
        const prefix = fresh();
        const open = (id: string) => new RedisStateStore({ connection, keyPrefix: prefix, instanceId: id, log: silentLogger(), resyncIntervalMs: 500 });
        const store = open('a');
        const peer = open('b');
        await Promise.all([store.refresh(), peer.refresh()]);
        return { store, peer, close: async () => void (await Promise.all([store.close(), peer.close()])) };
      });
    });

    it('every key of a deployment hashes to one slot', async () => {
      const prefix = fresh();
      const slots = new Set(await Promise.all(['weights', 'drains', 'version', 'epoch', 'instances', 'changes', 'obs:geo-a'].map((k) => cluster.slotOf(`{${prefix}}:${k}`))));
      expect(slots.size).toBe(1);
    });

    it('the health quorum: one instance seeing tokyo down moves nothing, two of three move everyone', async () => {
      const prefix = fresh();
      instances = await Promise.all(['geo-a', 'geo-b', 'geo-c'].map((id) => startInstance(connection, prefix, id)));
      const [a, b, c] = instances;
      await eventually(() => instances.every((i) => i.store.current().observations.size === 3), 'all three instances are live');
      await a.see('region:tokyo', false);
      await eventually(() => c.store.current().observations.get('geo-a')?.targets['region:tokyo'] === false, 'c has a\'s observation');
      for (const i of instances) expect(await i.answer(JAPAN)).toBe(TOKYO);
      await b.see('region:tokyo', false);
      for (const i of instances) await eventually(async () => (await i.answer(JAPAN)) === TAIWAN, `${i.id} fails over to taiwan`, 1000);
    });

    it('a primary killed: writes refused while its slot is down, DNS keeps answering, the empty restart is detected and the state comes back', async () => {
      const prefix = fresh();
      instances = await Promise.all(['geo-a', 'geo-b'].map((id) => startInstance(connection, prefix, id, 200)));
      const [a, b] = instances;
      await a.store.setWeight('tokyo', 0);
      await b.store.setDrain('us-west', { reason: 'upgrade', by: 'ops', at: 1 });
      await eventually(async () => (await b.answer(JAPAN)) === TAIWAN && a.store.current().drains.has('us-west'), 'both have both overrides', 1000);
      const owner = await cluster.ownerOf(await cluster.slotOf(`{${prefix}}:weights`));

      await cluster.kill(owner);
      // a write sent at once is refused (the connection is gone), not queued
      await expect(b.store.setWeight('tokyo', 40)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
      await eventually(() => !a.store.connected && !b.store.connected, 'both stores see the slot is down', 5000);
      await expect(a.store.setWeight('tokyo', 50)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('not connected') });
      expect(a.store.status()).toMatchObject({ connected: false, writable: false });
      expect(a.store.status().lastError?.message).toBeTypeOf('string');
      for (const i of instances) expect(await i.answer(JAPAN)).toBe(TAIWAN);

      await cluster.restart(owner); // same node id and slots, no data: the "slot owner came back empty"
      await cluster.waitHealthy();
      await eventually(() => instances.every((i) => i.store.status().reset?.reason === 'epoch_missing'), 'both detect the empty slot owner', 5000);
      for (const i of instances) {
        expect(await i.answer(JAPAN)).toBe(TAIWAN); // weight 0 kept
        expect(await i.answer(BRAZIL)).toBe(TAIWAN);
        expect(i.store.current().drains.has('us-west')).toBe(true);
        expect(i.store.status()).toMatchObject({ connected: true, writable: false });
      }
      await expect(b.store.setWeight('tokyo', 50)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('refused until an operator confirms') });

      await a.store.confirmReset('republish', 'ops');
      await eventually(() => b.store.status().writable, 'b follows the decision', 1000);
      // the write: acknowledged, and applied on both instances
      await b.store.setWeight('tokyo', 50);
      expect(b.store.current().weights.get('tokyo')).toBe(50);
      await eventually(() => a.store.current().weights.get('tokyo') === 50, 'a applies it', 1000);
      await a.store.setWeight('tokyo', null);
      await eventually(async () => (await b.answer(JAPAN)) === TOKYO, 'b answers tokyo again', 1000);
    }, 30_000);

    it('a slot migration under writes: every acknowledged write is applied, pub/sub keeps delivering', async () => {
      const prefix = fresh();
      instances = await Promise.all(['geo-a', 'geo-b'].map((id) => startInstance(connection, prefix, id)));
      const [a, b] = instances;
      const slot = await cluster.slotOf(`{${prefix}}:weights`);
      const from = await cluster.ownerOf(slot);
      const to = cluster.nodes.find((n) => n.id !== from.id)!;
      let acknowledged: number | undefined;
      let written = 0;
      let writing = true;
      const writer = (async () => {
        for (let w = 1; writing && w <= 100_000; w++) {
          try {
            await (w % 2 ? a : b).store.setWeight('singapore', w % 101);
            acknowledged = w % 101;
            written++;
          } catch (err) {
            expect((err as { code?: string }).code).toBe('STATE_UNAVAILABLE'); // refused, never acknowledged and lost
          }
        }
      })();
      await eventually(() => written >= 20, 'writes are flowing');
      const before = written;
      await cluster.migrateSlot(slot, to);
      const after = written;
      expect(after).toBeGreaterThan(before); // writes kept being acknowledged while the slot moved
      await eventually(() => written >= after + 20, 'writes go on after the move');
      writing = false;
      await writer;
      expect(await cluster.ownerOf(slot)).toEqual(to);
      await eventually(() => a.store.current().weights.get('singapore') === acknowledged && b.store.current().weights.get('singapore') === acknowledged, 'both hold the last acknowledged write', 1000);
      // after the move, a write reaches the other instance by pub/sub (resync is 60 s here)
      await a.store.setWeight('tokyo', 0);
      await eventually(async () => (await b.answer(JAPAN)) === TAIWAN, 'b has a\'s write', 1000);
    }, 30_000);
  },
  ['redis-server', 'redis-cli'],
);
