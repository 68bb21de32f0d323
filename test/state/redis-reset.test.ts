import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { MemoryEventLog, type EventLog } from '../../src/events/event-log.js';
import { RedisStateStore } from '../../src/state/redis-state-store.js';
import type { StateStoreStatus } from '../../src/state/state-store.js';
import { capturingLogger } from '../support/capturing-logger.js';
import { describeWithRedis, eventually, startRedis, type TestRedis } from '../support/redis-server.js';
import { startReplyHoldingProxy } from '../support/reply-holding-proxy.js';

// Issue 15 item 8: a Redis that loses its data (restart without persistence, FLUSHALL, an
// older snapshot) is detected through the epoch marker, reported loudly, and the last known
// overrides stay in effect until an operator confirms. No write is ever acknowledged and
// then ignored. A real redis-server without persistence, killed and restarted empty.

const DRAIN = { reason: 'datacenter move', by: 'ops', at: 1_700_000_000_000 };

interface Node {
  readonly store: RedisStateStore;
  readonly events: EventLog;
  readonly lines: Record<string, any>[];
  readonly statuses: StateStoreStatus[];
}

let prefixes = 0;
let redis: TestRedis;
let raw: Redis;
let nodes: Node[] = [];

function node(prefix: string, id: string, resyncIntervalMs = 60_000, url = redis.url): Node {
  const { log, lines } = capturingLogger();
  const events = new MemoryEventLog();
  const store = new RedisStateStore({ connection: { mode: 'standalone', url }, keyPrefix: prefix, instanceId: id, log, events, resyncIntervalMs, reconnectMaxDelayMs: 100, newEpochId: () => `${id}-epoch-${++prefixes}` });
  const statuses: StateStoreStatus[] = [];
  store.onStatus((s) => statuses.push(s));
  const n = { store, events, lines, statuses };
  nodes.push(n);
  return n;
}

/** Two instances on a fresh prefix, with a weight and a drain both have seen. */
async function twoWithOverrides(resyncIntervalMs?: number): Promise<{ prefix: string; a: Node; b: Node }> {
  const prefix = `reset${process.pid}-${++prefixes}`;
  const a = node(prefix, 'a', resyncIntervalMs);
  const b = node(prefix, 'b', resyncIntervalMs);
  await Promise.all([a.store.refresh(), b.store.refresh()]);
  await a.store.setWeight('singapore', 0);
  await a.store.setDrain('taiwan', DRAIN);
  await eventually(() => b.store.current().weights.get('singapore') === 0 && b.store.current().drains.has('taiwan'), 'b has both overrides');
  return { prefix, a, b };
}

/** Kills Redis and starts it again empty; resolves once both stores have reconnected. */
async function restartEmpty(...stores: Node[]): Promise<void> {
  await redis.kill();
  await eventually(() => stores.every((n) => !n.store.connected), 'the stores notice Redis is gone', 3000);
  await redis.restart();
  await eventually(() => stores.every((n) => n.store.connected), 'the stores reconnect', 5000);
}

function expectKept(n: Node): void {
  expect(n.store.current().weights).toEqual(new Map([['singapore', 0]]));
  expect(n.store.current().drains).toEqual(new Map([['taiwan', DRAIN]]));
}

describeWithRedis('RedisStateStore after Redis lost its data', () => {
  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url).on('error', () => {}); // these tests kill Redis: the test's own client reconnects quietly
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.store.close()));
    nodes = [];
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });

  it('writes the epoch marker at the first connect, and every instance follows that one', async () => {
    const prefix = `reset${process.pid}-${++prefixes}`;
    const a = node(prefix, 'a');
    await a.store.refresh();
    const b = node(prefix, 'b');
    await b.store.refresh();
    const marker = JSON.parse((await raw.get(`{${prefix}}:epoch`))!);
    expect(marker).toMatchObject({ id: a.store.status().epoch, by: 'a', origin: 'created' });
    expect(b.store.status().epoch).toBe(marker.id);
    expect(a.lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('a restart without persistence: detected on reconnect, reported loudly, overrides kept, writes refused', async () => {
    const { prefix, a, b } = await twoWithOverrides();
    const epoch = a.store.status().epoch;
    await restartEmpty(a, b);
    for (const n of [a, b]) {
      expect(n.store.status()).toMatchObject({
        connected: true,
        writable: false,
        reconnects: 1,
        epoch,
        resetsDetected: 1,
        reset: { reason: 'epoch_missing', previousEpoch: epoch, foundEpoch: undefined, kept: { weights: 1, drains: 1 } },
      });
      // DNS keeps steering away from drained taiwan and singapore's weight 0
      expectKept(n);
      const [event] = n.events.list({ type: 'state_store_reset' });
      expect(event.detail).toEqual({ reason: 'epoch_missing', previousEpoch: epoch, foundEpoch: undefined, keptWeights: { singapore: 0 }, keptDrains: ['taiwan'] });
      expect(event.cause).toContain(`the epoch marker {${prefix}}:epoch is gone (restarted without persistence, or flushed)`);
      expect(n.lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([`state store: ${event.cause}`]);
      // status listeners saw the loss, the reconnect and the reset, in that order
      expect(n.statuses.map((s) => [s.connected, s.reset?.reason])).toEqual([
        [false, undefined], // the epoch adopted by the first read, just before it counts as connected
        [true, undefined],
        [false, undefined], // killed
        [false, 'epoch_missing'], // the first read after the restart finds no marker
        [true, 'epoch_missing'],
      ]);
    }
    const refused = await a.store.setWeight('singapore', 50).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('refused until an operator confirms the reset') });
    expect((refused as Error).message).toContain('(nothing was written)');
    await expect(b.store.setDrain('taiwan', null)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
    expect(a.store.status().writesRefused).toBe(1);
    expect(await raw.exists(`{${prefix}}:weights`, `{${prefix}}:drains`)).toBe(0);
    expectKept(a);
  });

  it('republish: the kept overrides go back into Redis, every instance follows, and the next write is applied', async () => {
    const { prefix, a, b } = await twoWithOverrides();
    await restartEmpty(a, b);
    const resolution = await a.store.confirmReset('republish', 'ops-token');
    const epoch = a.store.status().epoch!;
    expect(resolution).toEqual({ decision: 'republish', epoch, weights: 1, drains: 1 });
    expect(JSON.parse((await raw.get(`{${prefix}}:epoch`))!)).toMatchObject({ id: epoch, by: 'ops-token', origin: 'republish' });
    expect(JSON.parse((await raw.hget(`{${prefix}}:weights`, 'singapore'))!)).toMatchObject({ value: 0, by: 'a' });
    expect(JSON.parse((await raw.hget(`{${prefix}}:drains`, 'taiwan'))!)).toMatchObject({ value: DRAIN });
    await eventually(() => b.store.status().reset === undefined, 'b follows the decision');
    for (const n of [a, b]) {
      expect(n.store.status()).toMatchObject({ writable: true, epoch, reset: undefined });
      expectKept(n);
    }
    expect(a.events.list({ type: 'state_store_reset_resolved' }).map((e) => e.cause)).toEqual(['Redis reset resolved (republish, by ops-token): confirmed on this instance']);
    expect(b.events.list({ type: 'state_store_reset_resolved' }).map((e) => e.cause)).toEqual(['Redis reset resolved (republish, by ops-token): confirmed on another instance']);

    // the write: acknowledged means applied, here and on the other instance
    await a.store.setWeight('singapore', 50);
    expect(a.store.current().weights.get('singapore')).toBe(50);
    await eventually(() => b.store.current().weights.get('singapore') === 50, 'b applies it');
    await b.store.setDrain('taiwan', null);
    await eventually(() => !a.store.current().drains.has('taiwan'), 'a applies b\'s undrain');
  });

  it('adopt: what Redis holds now replaces the kept overrides on every instance', async () => {
    const { a, b } = await twoWithOverrides();
    await restartEmpty(a, b);
    expect(await b.store.confirmReset('adopt', 'ops-token')).toMatchObject({ decision: 'adopt', weights: 0, drains: 0 });
    await eventually(() => a.store.status().reset === undefined, 'a follows the decision');
    for (const n of [a, b]) {
      expect(n.store.current().weights.size).toBe(0);
      expect(n.store.current().drains.size).toBe(0);
    }
    await a.store.setWeight('tokyo', 20);
    await eventually(() => b.store.current().weights.get('tokyo') === 20, 'b applies the first write after the reset');
  });

  it('a write racing a loss the instance has not noticed is refused, not acknowledged and dropped', async () => {
    const { prefix, a } = await twoWithOverrides();
    await raw.del(`{${prefix}}:epoch`, `{${prefix}}:version`, `{${prefix}}:weights`, `{${prefix}}:drains`); // no reconnect, no message: only the write can notice
    await expect(a.store.setWeight('singapore', 50)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('the epoch marker') });
    expect(a.store.status().reset?.reason).toBe('epoch_missing');
    expect(await raw.hget(`{${prefix}}:weights`, 'singapore')).toBeNull();
    expectKept(a);
  });

  it('a counter behind what was seen (an older snapshot) is a loss too, and the write is refused', async () => {
    const { prefix, a } = await twoWithOverrides();
    await raw.set(`{${prefix}}:version`, '1'); // the marker survived, recent writes did not
    await expect(a.store.setWeight('singapore', 50)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('its version counter is 1, below version 2') });
    expect(a.store.status().reset).toMatchObject({ reason: 'counter_behind', previousEpoch: a.store.status().epoch, foundEpoch: a.store.status().epoch });
    expect(JSON.parse((await raw.hget(`{${prefix}}:weights`, 'singapore'))!)).toMatchObject({ value: 0 });
  });

  it('a full read answered after a newer change message is no loss: nothing is refused and the newer write stays', async () => {
    // The read's reply and the change message travel on two connections; here the reply is
    // held until the message (of a write Redis ran after the read) has been applied.
    const proxy = await startReplyHoldingProxy(redis.port);
    try {
      const prefix = `reset${process.pid}-${++prefixes}`;
      const a = node(prefix, 'a', 60_000, proxy.url);
      const b = node(prefix, 'b');
      await Promise.all([a.store.refresh(), b.store.refresh()]);
      await a.store.setWeight('tokyo', 10); // version 1
      await eventually(() => b.store.current().weights.get('tokyo') === 10, 'b has version 1');
      proxy.hold();
      const read = a.store.refresh();
      await eventually(() => proxy.heldBytes > 0, 'Redis answered the read (counter 1); the answer is held');
      await b.store.setWeight('tokyo', 20); // version 2, announced on a's subscriber connection
      await eventually(() => a.store.current().weights.get('tokyo') === 20, 'a applies version 2 from the change message');
      proxy.release();
      await read;
      expect(a.store.status().reset).toBeUndefined();
      expect(a.lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(a.store.current().weights).toEqual(new Map([['tokyo', 20]]));
      await a.store.setWeight('tokyo', 30);
      await eventually(() => b.store.current().weights.get('tokyo') === 30, 'b applies a\'s next write');
    } finally {
      await proxy.close();
    }
  });

  it('an instance started on the emptied Redis writes a new epoch; the old ones keep their overrides and ignore its writes until an operator adopts them', async () => {
    const { prefix, a } = await twoWithOverrides(100);
    await raw.del(`{${prefix}}:epoch`, `{${prefix}}:version`, `{${prefix}}:weights`, `{${prefix}}:drains`);
    const c = node(prefix, 'c', 100);
    await c.store.refresh();
    await c.store.setWeight('tokyo', 10);
    await eventually(() => a.store.status().reset !== undefined, 'a detects the loss');
    expect(a.store.status().reset).toMatchObject({ reason: 'epoch_changed', foundEpoch: c.store.status().epoch });
    expect(a.store.status().reset!.cause).toContain(`Redis holds another data generation: epoch ${c.store.status().epoch} (created by c at`);
    expectKept(a);
    expect(a.store.current().weights.has('tokyo')).toBe(false);
    await a.store.confirmReset('adopt', 'ops-token');
    expect(a.store.current().weights).toEqual(new Map([['tokyo', 10]]));
    await eventually(() => c.store.status().epoch === a.store.status().epoch, 'c follows the confirmed epoch');
    expect(c.events.list({ type: 'state_store_reset_resolved' }).map((e) => e.cause)).toEqual(['Redis reset resolved (adopt, by ops-token): another instance confirmed a reset this one did not see']);
  });

  it('the old marker coming back (the data returned) clears the reset without a decision', async () => {
    const { prefix, a } = await twoWithOverrides(100);
    const marker = (await raw.get(`{${prefix}}:epoch`))!;
    await raw.del(`{${prefix}}:epoch`);
    await eventually(() => a.store.status().reset?.reason === 'epoch_missing', 'a detects the missing marker');
    await raw.set(`{${prefix}}:epoch`, marker);
    await eventually(() => a.store.status().reset === undefined, 'a sees its data again');
    expect(a.events.list({ type: 'state_store_reset_resolved' })[0].detail).toMatchObject({ resolution: 'data_returned' });
    await a.store.setWeight('singapore', 40);
    expect(a.store.current().weights.get('singapore')).toBe(40);
  });

  it('confirming against a marker that changed since the detection is refused with CONFLICT', async () => {
    const { prefix, a } = await twoWithOverrides();
    await raw.del(`{${prefix}}:epoch`);
    await expect(a.store.setWeight('singapore', 1)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' }); // detects
    await raw.set(`{${prefix}}:epoch`, JSON.stringify({ id: 'someone-else', at: 1, by: 'x', origin: 'created' }));
    await expect(a.store.confirmReset('republish', 'ops')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('the epoch marker changed since the reset was detected') });
    expect(a.store.status().reset).toMatchObject({ reason: 'epoch_missing', foundEpoch: 'someone-else' });
    expectKept(a);
  });
});
