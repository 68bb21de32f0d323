import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { createEventLog, createStateStore } from '../../src/state/create-state-store.js';
import { createRedisSyncCoordination, syncKeys } from '../../src/state/redis-sync-coordination.js';
import { waitFor } from '../support/poll.js';
import { describeWithRedis, startRedis, startRedisCluster, startSentinel, type TestRedis } from '../support/redis-server.js';
import { exampleDocument, loadDocument, startServer } from '../support/test-server.js';
import { syncDocument } from '../sync/sync-harness.js';

// state.password_env against real redis-servers started with --requirepass: every connection
// geosteer opens (the state store, the shared event log, the sync's budget and lease) reads
// the password from the environment variable it names, for standalone, Sentinel and Cluster.

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const VARIABLE = 'GEOSTEER_TEST_REDIS_PASSWORD';
const ENV = { [VARIABLE]: PASSWORD };
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

let prefixes = 0;
const fresh = () => `pw${process.pid}-${++prefixes}`;
const stateOf = (redis: { url: string }, prefix: string, extra: Record<string, unknown> = {}) =>
  loadDocument({ ...exampleDocument(), state: { store: 'redis', url: redis.url, key_prefix: prefix, password_env: VARIABLE, ...extra } }).config.state;

describeWithRedis('state.password_env: a Redis that requires a password', () => {
  let redis: TestRedis;
  let raw: Redis;
  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD });
    raw = new Redis(redis.url, { password: PASSWORD });
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });

  it('serve: a weight set through the admin API reaches Redis, and its audit entry the shared event log', async () => {
    const prefix = fresh();
    const doc = exampleDocument();
    doc.state = { store: 'redis', url: redis.url, key_prefix: prefix, password_env: VARIABLE };
    const server = await startServer(doc, { env: { ...ENV, GEOSTEER_ADMIN_TOKEN: ADMIN_TOKEN } });
    try {
      expect(server.service.state.status()).toMatchObject({ kind: 'redis', connected: true, writable: true });
      const res = await server.service.admin!.inject({ method: 'PUT', url: '/v1/regions/tokyo/weight', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { weight: 30, reason: 'password from the environment' } });
      expect(res.statusCode, res.body).toBe(200);
      expect(JSON.parse((await raw.hget(`{${prefix}}:weights`, 'tokyo'))!)).toMatchObject({ value: 30 });
      const stream = await raw.xrange(`{${prefix}}:events`, '-', '+');
      const audits = stream.map(([, fields]) => JSON.parse(fields[1])).filter((e) => e.type === 'audit');
      expect(audits.map((e) => [e.region, e.detail.action, e.detail.after.weight, e.detail.reason])).toEqual([['tokyo', 'set weight', 30, 'password from the environment']]);
    } finally {
      await server.close();
    }
  });

  it('the Cloudflare sync\'s request budget and writer lease authenticate with it too', async () => {
    const prefix = fresh();
    const doc = syncDocument({ zoneId: 'z', baseURL: 'http://127.0.0.1:1/client/v4' } as never);
    doc.state = { store: 'redis', url: redis.url, key_prefix: prefix, password_env: VARIABLE };
    const config = loadDocument(doc).config;
    const coordination = createRedisSyncCoordination(config.state, config.sync!.cloudflare!, { log: silentLogger(), env: ENV });
    try {
      expect(await coordination.lease.acquire('geo-a', 30_000)).toMatchObject({ held: true, holder: 'geo-a' });
      expect(await raw.get(syncKeys(prefix, 'geo-test').lease)).toMatch(/^geo-a\|/);
    } finally {
      await coordination.close();
    }
  });

  // Nothing falls back to an unauthenticated connection: the store stays disconnected and its status says why.
  const refused: [string, Record<string, unknown>, Record<string, string>, string][] = [
    ['a wrong password', {}, { [VARIABLE]: 'not-the-password' }, 'WRONGPASS'],
    ['no password_env', { password_env: undefined }, {}, 'NOAUTH'],
  ];
  for (const [label, extra, env, error] of refused) {
    it(`${label}: the store and the event log do not connect, and the store's status says ${error}`, async () => {
      const state = stateOf(redis, fresh(), extra);
      const store = await createStateStore(state, env, silentLogger());
      const events = await createEventLog(state, env, silentLogger(), Date.now);
      try {
        const status = await waitFor(`the store reports ${error}`, () => {
          const s = store.status();
          return s.lastError?.message.includes(error) ? s : undefined;
        });
        expect(status).toMatchObject({ connected: false, writable: false });
        await expect(store.setWeight('tokyo', 10)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
        await expect(events.page({ limit: 1 })).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
      } finally {
        await Promise.all([store.close(), events.close()]);
      }
    });
  }

  it('Sentinel: the master it names is reached with the password', async () => {
    const sentinel = await startSentinel(redis.port, 'geosteer-pw', PASSWORD);
    const prefix = fresh();
    const state = stateOf(redis, prefix, { url: undefined, sentinels: [{ host: '127.0.0.1', port: sentinel.port }], sentinel_name: 'geosteer-pw' });
    const store = await createStateStore(state, ENV, silentLogger());
    try {
      await store.refresh();
      expect(store.status()).toMatchObject({ connected: true, writable: true });
      await store.setWeight('tokyo', 42);
      expect(JSON.parse((await raw.hget(`{${prefix}}:weights`, 'tokyo'))!)).toMatchObject({ value: 42 });
    } finally {
      await store.close();
      await sentinel.stop();
    }
  });
});

describeWithRedis(
  'state.password_env: a Redis Cluster whose nodes require a password',
  () => {
    it('every node is reached with the password: a write lands on the slot owner and the event log appends there', async () => {
      const cluster = await startRedisCluster({ primaries: 3, password: PASSWORD });
      const raw = new Cluster(cluster.seeds.map((s) => ({ ...s })), { redisOptions: { password: PASSWORD } });
      const prefix = fresh();
      const state = loadDocument({ ...exampleDocument(), state: { store: 'redis', cluster_nodes: cluster.seeds.map((s) => `${s.host}:${s.port}`), key_prefix: prefix, password_env: VARIABLE } }).config.state;
      const store = await createStateStore(state, ENV, silentLogger());
      const events = await createEventLog(state, ENV, silentLogger(), Date.now);
      try {
        await store.refresh();
        expect(store.status()).toMatchObject({ connected: true, writable: true });
        await store.setWeight('singapore', 55);
        expect(JSON.parse((await raw.hget(`{${prefix}}:weights`, 'singapore'))!)).toMatchObject({ value: 55 });
        events.record({ type: 'config_rejected', cause: 'a test event through a cluster with a password' });
        await waitFor('the event reaches the stream', async () => (await raw.xlen(`{${prefix}}:events`)) === 1);
      } finally {
        await Promise.all([store.close(), events.close()]);
        raw.disconnect();
        await cluster.stop();
      }
    }, 30_000);
  },
  ['redis-server', 'redis-cli'],
);
