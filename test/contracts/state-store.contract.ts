import { afterEach, expect, it } from 'vitest';
import type { InstanceObservations, StateStore, StoreHealth } from '../../src/state/state-store.js';
import { eventually } from '../support/redis-server.js';

/** A store under test plus a second handle on the same shared state (another instance). */
export interface StateStoreFixture {
  readonly store: StateStore & StoreHealth;
  /** Another instance's view of the same state; the memory store returns itself. */
  readonly peer: StateStore & StoreHealth;
  close(): Promise<void>;
}

function observations(instance: string, targets: Record<string, boolean>): InstanceObservations {
  return { instance, at: Date.now(), targets };
}

/** The cases every StateStore must pass; `create` gives a fresh, empty, connected state each time. */
export function stateStoreContract(create: () => Promise<StateStoreFixture>): void {
  let fixture: StateStoreFixture | undefined;
  const open = async () => {
    fixture = await create();
    return fixture;
  };
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('starts empty, connected, and records when it last synced', async () => {
    const { store } = await open();
    const state = await store.refresh();
    expect(state.weights.size).toBe(0);
    expect(state.drains.size).toBe(0);
    expect(store.connected).toBe(true);
    expect(store.lastSyncAt).toBeTypeOf('number');
  });

  it('sets and clears a weight override, raising the version each time', async () => {
    const { store } = await open();
    const v0 = store.current().version;
    await store.setWeight('tokyo', 30);
    const v1 = store.current().version;
    expect(store.current().weights.get('tokyo')).toBe(30);
    expect(v1).toBeGreaterThan(v0);
    await store.setWeight('tokyo', null);
    expect(store.current().weights.has('tokyo')).toBe(false);
    expect(store.current().version).toBeGreaterThan(v1);
  });

  it('drains and undrains with the reason, who and when', async () => {
    const { store } = await open();
    const drain = { reason: 'maintenance', by: 'ops-token', at: 1_700_000_000_000 };
    await store.setDrain('taiwan', drain);
    expect(store.current().drains.get('taiwan')).toEqual(drain);
    await store.setDrain('taiwan', null);
    expect(store.current().drains.has('taiwan')).toBe(false);
  });

  it('notifies change listeners until they unsubscribe', async () => {
    const { store } = await open();
    let calls = 0;
    const off = store.onChange(() => calls++);
    await store.setWeight('tokyo', 10);
    expect(calls).toBe(1);
    off();
    const before = calls;
    await store.setWeight('tokyo', 20);
    expect(calls).toBe(before);
  });

  it('reports its status: connected, writable, nothing lost or refused', async () => {
    const { store } = await open();
    await store.refresh();
    const status = store.status();
    expect(status).toMatchObject({ kind: store.kind, connected: true, writable: true, reconnects: 0, reset: undefined, resetsDetected: 0, writesRefused: 0, lastSyncAt: store.lastSyncAt });
    expect(status.since).toBeLessThanOrEqual(Date.now());
  });

  it('a no-op write does not notify (here or on another instance) and does not change the version', async () => {
    const { store, peer } = await open();
    const drain = { reason: 'maintenance', by: 'ops', at: 1 };
    await store.setWeight('tokyo', 30);
    await store.setDrain('taiwan', drain);
    await eventually(() => peer.current().weights.get('tokyo') === 30 && peer.current().drains.has('taiwan'), 'peer has both writes');
    const counts = { store: 0, peer: 0 };
    store.onChange(() => counts.store++);
    peer.onChange(() => counts.peer++);
    const version = store.current().version;
    await store.setWeight('tokyo', 30);
    await store.setDrain('taiwan', { ...drain });
    await store.setWeight('singapore', null);
    await store.setDrain('us-west', null);
    expect(counts.store).toBe(0);
    expect(store.current().version).toBe(version);
    // a real write after them: once the peer has it, it has processed the no-ops too (one channel, in order)
    await store.setWeight('singapore', 5);
    await eventually(() => peer.current().weights.get('singapore') === 5, 'peer has the real write');
    expect(counts).toEqual({ store: 1, peer: 1 });
  });

  it('refuses to confirm a reset when none is pending, and changes nothing', async () => {
    const { store } = await open();
    await store.setWeight('tokyo', 30);
    const version = store.current().version;
    for (const decision of ['republish', 'adopt'] as const) {
      await expect(store.confirmReset(decision, 'ops')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('no reset is pending; nothing to confirm') });
    }
    expect(store.current().version).toBe(version);
    expect(store.current().weights.get('tokyo')).toBe(30);
    expect(store.status().reset).toBeUndefined();
  });

  it('a write made through one instance is what every instance reads, and the last write wins', async () => {
    const { store, peer } = await open();
    await store.setWeight('singapore', 40);
    await peer.setWeight('singapore', 70);
    await eventually(() => store.current().weights.get('singapore') === 70, 'store sees the peer write');
    expect((await store.refresh()).weights.get('singapore')).toBe(70);
    expect((await peer.refresh()).weights.get('singapore')).toBe(70);
  });

  it('keeps the last of many rapid writes (a newer write is never replaced by an older one)', async () => {
    const { store, peer } = await open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.setWeight('us-west', i)));
    expect(store.current().weights.get('us-west')).toBe(19);
    await eventually(() => peer.current().weights.get('us-west') === 19, 'peer converges on the last write');
    expect((await peer.refresh()).weights.get('us-west')).toBe(19);
  });

  it('shares observations and drops them when their TTL passes', async () => {
    const { store, peer } = await open();
    await store.publishObservations(observations('a', { 'region:tokyo': false }), 300);
    await eventually(() => peer.current().observations.get('a')?.targets['region:tokyo'] === false, 'peer sees the observations');
    await eventually(() => !store.current().observations.has('a') && !peer.current().observations.has('a'), 'observations expire', 3000);
    expect((await peer.refresh()).observations.has('a')).toBe(false);
  });
}
