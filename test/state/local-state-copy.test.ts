import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { LocalStateCopy, type FullRead, type ReadInFlight } from '../../src/state/local-state-copy.js';

// What a full read does to the local copy when change messages were applied while the read
// was out (they travel on another connection, so they can overtake its reply).

const entry = (value: number, version: number) => ({ value, version, at: 1, by: 'a' });
const read = (weights: Record<string, { value: number; version: number }>, counter: number): FullRead => ({
  weights: Object.fromEntries(Object.entries(weights).map(([f, e]) => [f, JSON.stringify({ ...e, at: 1, by: 'a' })])),
  drains: {},
  counter,
  observed: [],
});

/** Takes a read's reply and ends it, as the store does. */
function take(c: LocalStateCopy, r: FullRead, overrides: 'merge' | 'wholesale' | 'keep', sent: ReadInFlight = c.readSent(), epoch = 'e1'): void {
  c.takeFullRead(r, overrides, sent, epoch);
  c.readEnded(sent);
}

function copy(): { copy: LocalStateCopy; changes: () => number } {
  let changes = 0;
  const c = new LocalStateCopy(() => 0, silentLogger(), () => changes++);
  return { copy: c, changes: () => changes };
}

describe('LocalStateCopy and reads in flight', () => {
  it('judges a read by the highest version seen when it was sent', () => {
    const { copy: c } = copy();
    c.applyEntry('weight', 'tokyo', entry(10, 4), 'e1');
    const sent = c.readSent();
    c.applyEntry('weight', 'tokyo', entry(20, 5), 'e1'); // overtook the reply
    expect(sent.seenAtSend).toBe(4);
    expect(c.maxVersionSeen).toBe(5);
    take(c, read({ tokyo: { value: 10, version: 4 } }, 4), 'merge', sent);
    expect(c.current().weights).toEqual(new Map([['tokyo', 20]]));
    expect(c.maxVersionSeen).toBe(5);
  });

  it('a wholesale replacement keeps what arrived in the followed generation while the read was out', () => {
    const { copy: c, changes } = copy();
    c.applyEntry('weight', 'old', entry(1, 90), 'e1'); // the generation before the reset
    const sent = c.readSent();
    c.applyEntry('weight', 'tokyo', entry(20, 5), 'e2');
    c.applyEntry('weight', 'stale', entry(7, 91), 'e1'); // a late message of the old generation
    const before = changes();
    take(c, read({ tokyo: { value: 10, version: 4 }, singapore: { value: 0, version: 3 } }, 4), 'wholesale', sent, 'e2');
    expect(c.current().weights).toEqual(new Map([['tokyo', 20], ['singapore', 0]]));
    expect(c.maxVersionSeen).toBe(5);
    expect(changes() - before).toBe(1);
  });

  it('an ended read no longer collects arrivals; one that is kept leaves the overrides alone', () => {
    const { copy: c } = copy();
    const failed = c.readSent();
    c.readEnded(failed);
    c.applyEntry('weight', 'tokyo', entry(20, 5), 'e1');
    expect(failed.arrived).toEqual([]);
    const kept = c.readSent();
    c.applyEntry('weight', 'tokyo', entry(30, 6), 'e1');
    expect(kept.arrived).toEqual([{ kind: 'weight', field: 'tokyo', stored: entry(30, 6), epoch: 'e1' }]);
    take(c, read({}, 2), 'keep', kept);
    expect(c.current().weights).toEqual(new Map([['tokyo', 30]]));
    c.applyEntry('weight', 'tokyo', entry(40, 7), 'e1');
    expect(kept.arrived).toHaveLength(1);
  });

  it('observations announced while the read was out are neither dropped nor replaced by it', () => {
    const { copy: c } = copy();
    const obs = (instance: string, up: boolean) => JSON.stringify({ instance, at: 1, targets: { 'region:tokyo': up } });
    take(c, { ...read({}, 0), observed: [{ text: obs('geo-a', true), ttl: 5000 }] }, 'merge');
    const sent = c.readSent();
    c.applyObservations({ instance: 'geo-b', at: 2, targets: { 'region:tokyo': false } }, 5000); // joined after the read ran
    c.applyObservations({ instance: 'geo-a', at: 2, targets: { 'region:tokyo': false } }, 5000);
    take(c, { ...read({}, 0), observed: [{ text: obs('geo-a', true), ttl: 5000 }] }, 'merge', sent);
    expect([...c.current().observations].map(([id, o]) => [id, o.targets['region:tokyo']])).toEqual([['geo-a', false], ['geo-b', false]]);
    take(c, { ...read({}, 0), observed: [{ text: obs('geo-a', true), ttl: 5000 }] }, 'merge');
    expect([...c.current().observations].map(([id, o]) => [id, o.targets['region:tokyo']])).toEqual([['geo-a', true]]);
  });
});
