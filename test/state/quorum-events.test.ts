import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { GeosteerEvent } from '../../src/events/event-log.js';
import { HEARTBEAT_MS, startInstance, type Instance } from '../support/geosteer-instance.js';
import { waitFor } from '../support/poll.js';
import { describeWithRedis, startRedis, type TestRedis } from '../support/redis-server.js';

// Quorum decisions are events on every instance (issue 15 item 9): three instances, each the
// production wiring, sharing one real redis-server. a and b see tokyo down (Alertmanager
// posts to them); c's own checks never fail, yet c records region_down, once, with the
// votes, and /v1/regions/tokyo on c shows them.

const JAPAN = '202.32.0.0/24'; // rule [tokyo, taiwan]
const TAIWAN = '198.51.100.10';
const VOTES_DOWN = { 'geo-a': false, 'geo-b': false, 'geo-c': true };
const ADMIN_TOKEN = 'quorum-events-admin-token';
// Longer than the test instances' 400 ms: on a busy machine one stalled event loop would
// let an instance's observations expire for a moment, a real verdict change (and event)
// that would blur the exactly-once count this test is about.
const OBSERVATION_TTL_MS = 5000;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describeWithRedis('quorum verdicts as events, on every instance', () => {
  let redis: TestRedis;
  let instances: Instance[] = [];
  let raw: Redis;
  let prefixes = 0;
  let prefix = '';
  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
  });
  afterEach(async () => {
    await Promise.all(instances.map((i) => i.close()));
    instances = [];
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });

  const start = async () => {
    prefix = `quorum-events${process.pid}-${++prefixes}`;
    instances = await Promise.all(['geo-a', 'geo-b', 'geo-c'].map((id) => startInstance({ mode: 'standalone', url: redis.url }, prefix, id, undefined, { adminToken: ADMIN_TOKEN, observationTtlMs: OBSERVATION_TTL_MS })));
    await waitFor('all three instances are live on each', () => instances.every((i) => i.store.current().observations.size === 3));
    return instances;
  };
  const events = (i: Instance, type: GeosteerEvent['type'], view: 'local' | 'quorum') => i.server.events.list({ type, region: 'tokyo', limit: 1000 }).filter((e) => e.detail?.view === view && e.endpoint === undefined);
  /** Resolves once every instance has published two more heartbeats (read from Redis): time for a repeated event to show. */
  const twoHeartbeats = async () => {
    const publishedAt = async (id: string) => JSON.parse((await raw.get(`{${prefix}}:obs:${id}`)) ?? '{"at":0}').at as number;
    const seen = await Promise.all(instances.map((i) => publishedAt(i.id)));
    await waitFor('two more heartbeats of every instance', async () => (await Promise.all(instances.map((i) => publishedAt(i.id)))).every((at, k) => at >= seen[k] + 2 * HEARTBEAT_MS), 2000);
  };

  it('an instance whose own checks never failed records region_down with the votes once the others make a quorum, exactly once; then region_up', async () => {
    const [a, b, c] = await start();
    await a.see('region:tokyo', false);
    await waitFor('c has a\'s observation', () => c.store.current().observations.get('geo-a')?.targets['region:tokyo'] === false);
    expect(events(c, 'region_down', 'quorum')).toEqual([]); // one of three is no quorum
    expect(events(a, 'region_down', 'local')).toHaveLength(1); // a's own view, recorded on a only

    await b.see('region:tokyo', false);
    const [down] = await waitFor('c records the quorum\'s region_down', () => {
      const found = events(c, 'region_down', 'quorum');
      return found.length > 0 && found;
    });
    expect(down).toMatchObject({
      type: 'region_down',
      region: 'tokyo',
      cause: 'quorum: geo-b sees it down now; 2 of 3 live instance(s) see tokyo down (geo-a, geo-b), quorum 2',
      detail: { view: 'quorum', down_votes: 2, quorum: 2, live: ['geo-a', 'geo-b', 'geo-c'], votes: VOTES_DOWN },
    });
    expect(await c.answer(JAPAN)).toBe(TAIWAN);
    // the failover it caused says why
    expect(c.server.events.list({ type: 'failover', limit: 10 })[0].cause).toContain('quorum region_down tokyo');

    // heartbeats repeat the same opinions: no second event on any instance
    await twoHeartbeats();
    for (const i of [a, b, c]) expect(events(i, 'region_down', 'quorum'), i.id).toHaveLength(1);
    expect(events(c, 'region_down', 'local')).toEqual([]);

    // GET /v1/regions/tokyo on c shows the votes on the region and on each endpoint
    const res = await c.server.service.admin!.inject({ method: 'GET', url: '/v1/regions/tokyo', headers: auth });
    expect(res.statusCode).toBe(200);
    const tokyo = res.json();
    expect(tokyo.up).toBe(false);
    expect(tokyo.votes).toEqual({ up: false, down_votes: 2, quorum: 2, live: 3, instances: VOTES_DOWN });
    expect(tokyo.endpoints.map((e: { id: string; votes: unknown }) => [e.id, e.votes])).toEqual([
      ['jp-v4', { up: true, down_votes: 0, quorum: 2, live: 3, instances: { 'geo-a': true, 'geo-b': true, 'geo-c': true } }],
      ['jp-v6', { up: true, down_votes: 0, quorum: 2, live: 3, instances: { 'geo-a': true, 'geo-b': true, 'geo-c': true } }],
    ]);
    const all = (await c.server.service.admin!.inject({ method: 'GET', url: '/v1/regions', headers: auth })).json();
    expect(all.regions.find((r: { name: string }) => r.name === 'tokyo').votes).toEqual(tokyo.votes);

    await a.see('region:tokyo', true);
    const [up] = await waitFor('c records the quorum\'s region_up', () => {
      const found = events(c, 'region_up', 'quorum');
      return found.length > 0 && found;
    });
    expect(up).toMatchObject({
      cause: 'quorum: geo-a sees it up now; 1 of 3 live instance(s) see tokyo down (geo-b), quorum 2',
      detail: { view: 'quorum', down_votes: 1, quorum: 2, votes: { 'geo-a': true, 'geo-b': false, 'geo-c': true } },
    });
    await twoHeartbeats();
    expect(events(c, 'region_up', 'quorum')).toHaveLength(1);
    expect(events(c, 'region_down', 'quorum')).toHaveLength(1);
  });

  it('endpoint verdicts of the quorum are recorded the same way', async () => {
    const [a, b, c] = await start();
    await a.see('endpoint:tokyo/jp-v4', false);
    await b.see('endpoint:tokyo/jp-v4', false);
    const found = await waitFor('c records endpoint_down', () => {
      const list = c.server.events.list({ type: 'endpoint_down', limit: 100 }).filter((e) => e.detail?.view === 'quorum');
      return list.length > 0 && list;
    });
    expect(found).toEqual([
      expect.objectContaining({
        region: 'tokyo',
        endpoint: 'jp-v4',
        cause: 'quorum: geo-b sees it down now; 2 of 3 live instance(s) see tokyo/jp-v4 down (geo-a, geo-b), quorum 2',
        detail: { view: 'quorum', down_votes: 2, quorum: 2, live: ['geo-a', 'geo-b', 'geo-c'], votes: VOTES_DOWN },
      }),
    ]);
    expect(c.server.events.list({ type: 'region_down', limit: 100 })).toEqual([]);
  });
});
