import { describe, expect, it } from 'vitest';
import { majority, QuorumHealthView, targetsFromHealthView } from '../../src/health/health-quorum.js';
import type { InstanceObservations } from '../../src/state/state-store.js';

function obs(entries: Record<string, Record<string, boolean>>): Map<string, InstanceObservations> {
  return new Map(Object.entries(entries).map(([instance, targets]) => [instance, { instance, at: 0, targets }]));
}

describe('QuorumHealthView (pure consensus)', () => {
  const T = 'region:tokyo';
  const cases: [string, Record<string, Record<string, boolean>>, Record<string, boolean>, number | undefined, boolean][] = [
    // [label, others' observations, self (a), configured quorum, tokyo up?]
    ['alone, sees it up', {}, { [T]: true }, undefined, true],
    ['alone, sees it down: its own checks decide', {}, { [T]: false }, undefined, false],
    ['1 of 3 down: up', { b: { [T]: true }, c: { [T]: true } }, { [T]: false }, undefined, true],
    ['2 of 3 down: down', { b: { [T]: false }, c: { [T]: true } }, { [T]: false }, undefined, false],
    ['1 of 3 down, seen by another instance: up', { b: { [T]: false }, c: { [T]: true } }, { [T]: true }, undefined, true],
    ['1 of 2 down: up (majority of 2 is 2)', { b: { [T]: false } }, { [T]: true }, undefined, true],
    ['2 of 2 down: down', { b: { [T]: false } }, { [T]: false }, undefined, false],
    ['2 of 4 down: up (majority of 4 is 3)', { b: { [T]: false }, c: { [T]: true }, d: { [T]: true } }, { [T]: false }, undefined, true],
    ['quorum 1: any instance marks it down', { b: { [T]: false }, c: { [T]: true } }, { [T]: true }, 1, false],
    ['quorum 3 of 3 live, 2 down: up', { b: { [T]: false }, c: { [T]: true } }, { [T]: false }, 3, true],
    ['quorum 3 but only 2 live, both down: capped at live, down', { b: { [T]: false } }, { [T]: false }, 3, false],
    ['nobody reports it: up', { b: {} }, {}, undefined, true],
    ['instances not checking it do not count as down', { b: { [T]: false }, c: {} }, {}, undefined, true],
  ];
  for (const [label, others, self, quorum, up] of cases) {
    it(label, () => {
      const view = new QuorumHealthView({ self: 'a', local: self, observations: obs(others), quorum });
      expect(view.regionUp('tokyo')).toBe(up);
    });
  }

  it('uses its own fresh observations over its published (older) ones', () => {
    const view = new QuorumHealthView({ self: 'a', local: { [T]: true }, observations: obs({ a: { [T]: false } }) });
    expect(view.regionUp('tokyo')).toBe(true);
    expect(view.liveInstances).toEqual(['a']);
  });

  it('decides endpoints the same way and lists each instance\'s view', () => {
    const E = 'endpoint:tokyo/jp-v4';
    const view = new QuorumHealthView({ self: 'a', local: { [E]: false, [T]: true }, observations: obs({ b: { [E]: false }, c: { [E]: true } }) });
    expect(view.endpointUp('tokyo', 'jp-v4')).toBe(false);
    expect(view.endpointUp('tokyo', 'jp-v6')).toBe(true);
    expect(view.downTargets()).toEqual([E]);
    expect(view.votes('tokyo')).toEqual([
      { target: T, up: true, downVotes: 0, quorum: 2, live: 3, instances: { a: true } },
      { target: E, up: false, downVotes: 2, quorum: 2, live: 3, instances: { a: false, b: false, c: true } },
    ]);
  });

  it('majority: 1 of 1, 2 of 2, 2 of 3, 3 of 4, 3 of 5', () => {
    expect([1, 2, 3, 4, 5].map(majority)).toEqual([1, 2, 2, 3, 3]);
  });

  it('turns a local HealthView into observation targets', () => {
    const regions = new Map([['tokyo', { endpoints: [{ id: 'jp-v4' }, { id: 'jp-v6' }] }]]);
    const view = { regionUp: () => true, endpointUp: (_r: string, id: string) => id !== 'jp-v6' };
    expect(targetsFromHealthView(view, regions)).toEqual({ 'region:tokyo': true, 'endpoint:tokyo/jp-v4': true, 'endpoint:tokyo/jp-v6': false });
  });
});
