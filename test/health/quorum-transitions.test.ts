import { describe, expect, it } from 'vitest';
import { QuorumHealthView, sharedVotes } from '../../src/health/health-quorum.js';
import { quorumTransitions } from '../../src/health/quorum-transitions.js';
import type { InstanceObservations } from '../../src/state/state-store.js';
import { ALL_UP } from '../../src/steering/region-status.js';

// The quorum's verdicts as events (pure): what every instance records when the shared view
// moves, with the votes that moved it.

const REGIONS = new Map([
  ['tokyo', { endpoints: [{ id: 'jp-v4' }, { id: 'jp-v6' }] }],
  ['taiwan', { endpoints: [{ id: 'tw-v4' }] }],
]);
const T = 'region:tokyo';
const E = 'endpoint:tokyo/jp-v4';

/** The view of instance c, which sees `self`, while a and b report `others`. */
function view(others: Record<string, Record<string, boolean>>, self: Record<string, boolean> = { [T]: true, [E]: true }, quorum?: number): QuorumHealthView {
  const observations = new Map<string, InstanceObservations>(Object.entries(others).map(([instance, targets]) => [instance, { instance, at: 0, targets }]));
  return new QuorumHealthView({ self: 'c', local: self, observations, quorum });
}

describe('quorumTransitions', () => {
  it('nothing moves while the quorum is not reached', () => {
    expect(quorumTransitions(undefined, view({ a: { [T]: false }, b: { [T]: true } }), REGIONS, 5)).toEqual([]);
  });

  it('region_down with the votes once a quorum sees it down, on an instance that sees it up', () => {
    const before = view({ a: { [T]: false }, b: { [T]: true } });
    const after = view({ a: { [T]: false }, b: { [T]: false } });
    expect(quorumTransitions(before, after, REGIONS, 5)).toEqual([
      {
        type: 'region_down',
        cause: 'quorum: b sees it down now; 2 of 3 live instance(s) see tokyo down (a, b), quorum 2',
        region: 'tokyo',
        at: 5,
        detail: { view: 'quorum', down_votes: 2, quorum: 2, live: ['a', 'b', 'c'], votes: { a: false, b: false, c: true } },
      },
    ]);
  });

  it('the first view is compared with everything up (what steering starts with)', () => {
    const events = quorumTransitions(undefined, view({ a: { [T]: false }, b: { [T]: false } }), REGIONS, 5);
    expect(events.map((e) => [e.type, e.region, e.cause])).toEqual([['region_down', 'tokyo', 'quorum: a sees it down, b sees it down, c sees it up; 2 of 3 live instance(s) see tokyo down (a, b), quorum 2']]);
  });

  it('region_up when the votes fall below the quorum; an instance that expired is named', () => {
    const before = view({ a: { [T]: false }, b: { [T]: false } });
    const after = view({ a: { [T]: false } }, { [T]: true }, 3);
    expect(quorumTransitions(before, after, REGIONS, 9)).toEqual([
      {
        type: 'region_up',
        cause: 'quorum: b no longer counted; 1 of 2 live instance(s) see tokyo down (a), quorum 2',
        region: 'tokyo',
        at: 9,
        detail: { view: 'quorum', down_votes: 1, quorum: 2, live: ['a', 'c'], votes: { a: false, c: true } },
      },
    ]);
  });

  it('endpoints the same way, after their region', () => {
    const after = view({ a: { [T]: false, [E]: false }, b: { [T]: false, [E]: false } });
    expect(quorumTransitions(view({}), after, REGIONS, 1).map((e) => [e.type, e.region, e.endpoint, e.detail?.votes])).toEqual([
      ['region_down', 'tokyo', undefined, { a: false, b: false, c: true }],
      ['endpoint_down', 'tokyo', 'jp-v4', { a: false, b: false, c: true }],
    ]);
  });

  it('votes that change without moving a verdict record nothing', () => {
    const before = view({ a: { [T]: false }, b: { [T]: false } });
    const after = view({ a: { [T]: false }, b: { [T]: false } }, { [T]: false, [E]: true });
    expect(quorumTransitions(before, after, REGIONS, 1)).toEqual([]);
  });
});

describe('sharedVotes (what /v1/regions shows)', () => {
  it('the region\'s and each endpoint\'s votes with shared health', () => {
    const v = view({ a: { [T]: false, [E]: false }, b: { [T]: true, [E]: false } });
    expect(sharedVotes(v, 'tokyo')).toEqual({
      region: { up: true, down_votes: 1, quorum: 2, live: 3, instances: { a: false, b: true, c: true } },
      endpoints: new Map([['jp-v4', { up: false, down_votes: 2, quorum: 2, live: 3, instances: { a: false, b: false, c: true } }]]),
    });
  });

  it('undefined without shared health', () => {
    expect(sharedVotes(ALL_UP, 'tokyo')).toBeUndefined();
  });
});
