import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GeosteerEvent } from '../../src/events/event-log.js';
import { RedisEventLog } from '../../src/state/redis-event-log.js';
import { silentLogger } from '../../src/shared/logger.js';
import { waitFor } from '../support/poll.js';
import { describeWithRedis, startRedis, type TestRedis } from '../support/redis-server.js';
import { adminDocument, READ, startAdmin, WRITE, type AdminHarness } from './admin-harness.js';

// Issue 15 item 2 with state.store: redis: the event log is a capped Redis stream every
// instance appends to; it survives the instances, reads the same on each, and is written
// when Redis comes back after an outage. A real redis-server (durable: SIGKILL loses nothing).

let redis: TestRedis;
let raw: Redis;
let prefixes = 0;
let running: AdminHarness[] = [];

function redisDocument(prefix: string, id: string): Record<string, any> {
  const doc = adminDocument();
  doc.state = { store: 'redis', url: redis.url, key_prefix: prefix, instance_id: id, heartbeat_interval: '100ms', observation_ttl: '400ms', reconnect_max_interval: '100ms' };
  doc.health = { failback_hold_down: '0s', alertmanager: { token: 'alert-token-0123456789abcdef' } };
  return doc;
}

async function instance(prefix: string, id: string): Promise<AdminHarness> {
  const h = await startAdmin(redisDocument(prefix, id), { clock: Date.now });
  running.push(h);
  return h;
}

async function events(h: AdminHarness, query = ''): Promise<{ status: number; body: any }> {
  const r = await h.admin.inject({ method: 'GET', url: `/v1/events${query}`, headers: READ });
  return { status: r.statusCode, body: r.json() };
}

const typeAndInstance = (list: GeosteerEvent[]) => list.map((e) => `${e.type}@${e.instance}`).sort();

describeWithRedis('the shared event log (state.store: redis)', () => {
  beforeAll(async () => {
    // small stream nodes, so MAXLEN ~ trims within 10 entries of the cap
    redis = await startRedis({ durable: true, extraArgs: ['--stream-node-max-entries', '10'] });
    raw = new Redis(redis.url).on('error', () => {}); // one test kills Redis: the test's own client reconnects quietly
  });
  afterEach(async () => {
    await Promise.all(running.map((h) => h.close()));
    running = [];
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });

  it('a change made through one instance is in every instance\'s /v1/events, with who recorded what', async () => {
    const prefix = `events${process.pid}-${++prefixes}`;
    const a = await instance(prefix, 'geo-a');
    const b = await instance(prefix, 'geo-b');
    const r = await a.admin.inject({ method: 'PUT', url: '/v1/regions/tokyo/drain', headers: WRITE, payload: { reason: 'maintenance', force: true } });
    expect(r.statusCode).toBe(200);
    // the audit entry once (by the instance that took the write); the failover by each control plane that moved
    const seen = await waitFor('both failovers in the shared log', async () => {
      const page = (await events(b)).body.events as GeosteerEvent[];
      return page.filter((e) => e.type === 'failover').length === 2 && page;
    });
    expect(typeAndInstance(seen)).toEqual(['audit@geo-a', 'failover@geo-a', 'failover@geo-b']);
    expect(seen.find((e) => e.type === 'audit')!.detail).toMatchObject({ token: 'ops-writer', from: '127.0.0.1', action: 'drain', force: true, reason: 'maintenance' });
    expect((await events(a)).body.events).toEqual(seen);
    // ids are the stream's, newest first, and page on
    const ids = seen.map((e) => e.id);
    expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);
    const first = await events(a, '?limit=1');
    expect(first.body).toEqual({ events: [seen[0]], next_before: seen[0].id });
    expect((await events(a, `?before=${seen[0].id}`)).body.events).toEqual(seen.slice(1));
    expect((await events(a, '?type=audit&region=tokyo')).body.events).toEqual([seen.find((e) => e.type === 'audit')]);
  });

  it('outlives the instances: a new instance reads what the old ones wrote', async () => {
    const prefix = `events${process.pid}-${++prefixes}`;
    const a = await instance(prefix, 'geo-a');
    await a.admin.inject({ method: 'PUT', url: '/v1/regions/us-west/weight', headers: WRITE, payload: { weight: 30, reason: 'before the restart' } });
    await a.close();
    running = [];
    const c = await instance(prefix, 'geo-c');
    const audit = (await events(c, '?type=audit')).body.events;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ instance: 'geo-a', detail: { action: 'set weight', reason: 'before the restart', after: { weight: 30 } } });
  });

  it('while Redis is away: /v1/events answers 503, region views fall back to this instance; what happened meanwhile is written when it is back', async () => {
    const prefix = `events${process.pid}-${++prefixes}`;
    const a = await instance(prefix, 'geo-a');
    await redis.kill();
    await waitFor('the store notices', () => !a.service.state.connected, 3000);
    const down = await events(a);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: 'STATE_UNAVAILABLE', message: expect.stringContaining('event log redis://127.0.0.1') });
    // an alert while Redis is away: region_down and the failover are recorded here and wait
    const alert = await a.admin.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers: { authorization: 'Bearer alert-token-0123456789abcdef', 'content-type': 'application/json' },
      payload: { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { region: 'tokyo' }, fingerprint: 'tokyo-down' }] },
    });
    expect(alert.statusCode).toBe(200);
    const region = await a.admin.inject({ method: 'GET', url: '/v1/regions/tokyo', headers: READ });
    expect(region.statusCode).toBe(200);
    const local = region.json().events.map((e: GeosteerEvent) => e.type);
    expect(local).toContain('region_down');
    await redis.restart();
    const written = await waitFor('the waiting events reach the stream', async () => {
      const r = await events(a, '?region=tokyo');
      return r.status === 200 && r.body.events.some((e: GeosteerEvent) => e.type === 'region_down') && r.body.events;
    });
    expect(written.map((e: GeosteerEvent) => e.type)).toEqual(local);
  });

  it('the stream is capped, pages cover it exactly, and entries that are not events are skipped', async () => {
    const prefix = `events${process.pid}-${++prefixes}`;
    const log = new RedisEventLog({ connection: { mode: 'standalone', url: redis.url }, keyPrefix: prefix, instanceId: 'geo-x', log: silentLogger(), capacity: 50, reconnectMaxDelayMs: 100 });
    try {
      await waitFor('connected', async () => (await log.page({ limit: 1 }).then(() => true, () => false)));
      for (let i = 0; i < 300; i++) log.record({ type: 'audit', cause: `entry ${i}`, detail: { i } });
      expect(await log.flush(5000)).toBe(true);
      const length = await raw.xlen(`{${prefix}}:events`);
      expect(length).toBeGreaterThanOrEqual(50);
      expect(length).toBeLessThanOrEqual(60); // MAXLEN ~ trims whole nodes of 10
      await raw.xadd(`{${prefix}}:events`, '*', 'other', 'field');
      await raw.xadd(`{${prefix}}:events`, '*', 'event', '{not json');
      await raw.xadd(`{${prefix}}:events`, '*', 'event', '{"type": 7}');
      const seen: number[] = [];
      let before: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await log.page({ limit: 7, before });
        seen.push(...page.events.map((e) => e.detail!.i as number));
        if (page.nextBefore === null) break;
        before = page.nextBefore;
      }
      // newest first, every kept entry once: 299 down to 300 - length
      expect(seen).toEqual(Array.from({ length }, (_, k) => 299 - k));
    } finally {
      await log.close();
    }
  });
});
