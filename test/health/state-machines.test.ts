import { describe, expect, it } from 'vitest';
import { initialEndpointState, observeEndpoint, type EndpointState } from '../../src/health/endpoint-state.js';
import { initialRegionState, nextRegionState, type RegionInputs, type RegionState } from '../../src/health/region-state.js';

const T = { rise: 2, fall: 3 };

function run(start: EndpointState, results: string): string {
  let s = start;
  const phases: string[] = [];
  results.split('').forEach((r, i) => {
    s = observeEndpoint(s, { ok: r === '+', detail: r }, T, 1000 + i);
    phases.push(s.phase[0]);
  });
  return phases.join('');
}

describe('endpoint rise/fall (rise 2, fall 3)', () => {
  const up = initialEndpointState('assume_up', 0);
  const unknown = initialEndpointState('wait_for_checks', 0);
  const cases: [string, EndpointState, string, string][] = [
    // [label, start, results (+ ok, - fail), phase after each (u up, d down, n unknown)]
    ['assume_up stays up through fall-1 failures', up, '--+--', 'uuuuu'],
    ['goes down on the fall-th failure in a row', up, '---', 'uud'],
    ['a success resets the failure streak', up, '--+---', 'uuuuud'],
    ['comes back after rise successes in a row', up, '---++', 'uuddu'],
    ['a failure resets the success streak', up, '---+-++', 'uuddddu'],
    ['wait_for_checks: the first success decides', unknown, '+', 'u'],
    ['wait_for_checks: the first failure decides', unknown, '-++', 'ddu'],
  ];
  for (const [label, start, results, phases] of cases) {
    it(label, () => expect(run(start, results)).toBe(phases));
  }

  it('records when the phase changed and the latest detail', () => {
    let s = observeEndpoint(up, { ok: false, detail: 'a' }, { rise: 1, fall: 1 }, 50);
    expect(s).toMatchObject({ phase: 'down', since: 50, lastDetail: 'a', lastCheckAt: 50, failStreak: 1 });
    s = observeEndpoint(s, { ok: false, detail: 'b' }, { rise: 1, fall: 1 }, 60);
    expect(s).toMatchObject({ phase: 'down', since: 50, lastDetail: 'b', failStreak: 2 });
  });
});

describe('region state: min_up, alerts and the failback hold-down', () => {
  const inputs = (up: number, over: Partial<RegionInputs> = {}): RegionInputs => ({ upEndpoints: up, steadyEndpoints: up, failedCheck: undefined, unknownEndpoints: 0, totalEndpoints: 3, minUp: 2, forcedDown: undefined, ...over });
  const HOLD = 60_000;

  it('up while at least min_up endpoints are up; down below that', () => {
    let s: RegionState = initialRegionState('assume_up', true, 0);
    s = nextRegionState(s, inputs(2), 10, HOLD);
    expect(s.phase).toBe('up');
    s = nextRegionState(s, inputs(1), 20, HOLD);
    expect(s).toMatchObject({ phase: 'down', since: 20, cause: '1 of 3 endpoint(s) up, min_up 2' });
  });

  it('a recovered region is recovering (not up) until the hold-down has passed, and a relapse restarts it', () => {
    let s: RegionState = { phase: 'down', since: 0, recoveringUntil: undefined, cause: 'x' };
    s = nextRegionState(s, inputs(3), 1000, HOLD);
    expect(s).toMatchObject({ phase: 'recovering', recoveringUntil: 61_000 });
    expect(nextRegionState(s, inputs(3), 60_999, HOLD).phase).toBe('recovering');
    s = nextRegionState(s, inputs(1), 30_000, HOLD);
    expect(s.phase).toBe('down');
    s = nextRegionState(s, inputs(2), 40_000, HOLD);
    expect(s.recoveringUntil).toBe(100_000);
    expect(nextRegionState(s, inputs(2), 99_999, HOLD).phase).toBe('recovering');
    expect(nextRegionState(s, inputs(2), 100_000, HOLD)).toMatchObject({ phase: 'up', since: 100_000 });
  });

  it('a failed check of an up endpoint inside the hold-down sends it back to down, even though its endpoints stay up', () => {
    let s: RegionState = { phase: 'recovering', since: 1000, recoveringUntil: 61_000, cause: 'x' };
    s = nextRegionState(s, inputs(3, { steadyEndpoints: 2, failedCheck: 'jp-v4: status 503' }), 50_000, HOLD);
    expect(s).toEqual({ phase: 'down', since: 50_000, recoveringUntil: undefined, cause: 'check failed during the failback hold-down (11000ms before it would have ended): jp-v4: status 503' });
  });

  // [label, inputs at each step (up endpoints, steady endpoints, failed check), phase after each]
  const damping: [string, [number, number, string?][], string][] = [
    ['down: healthy by rise/fall but not steady waits', [[3, 1], [3, 1], [3, 2]], 'ddr'],
    ['down: steady min_up endpoints start the hold-down', [[2, 2]], 'r'],
    ['recovering: a failure restarts the whole wait (rise first, then the hold-down)', [[3, 3], [3, 2, 'a: timeout'], [3, 1], [3, 3]], 'rddr'],
    ['recovering: a failure that leaves it below min_up is plain down', [[3, 3], [1, 1, 'a: timeout']], 'rd'],
    ['recovering: a steady count dropping without a failure (an endpoint removed) keeps it recovering', [[3, 3], [2, 2]], 'rr'],
  ];
  for (const [label, steps, phases] of damping) {
    it(label, () => {
      let s: RegionState = { phase: 'down', since: 0, recoveringUntil: undefined, cause: 'x' };
      const seen = steps.map(([up, steady, failedCheck], i) => (s = nextRegionState(s, inputs(up, { steadyEndpoints: steady, failedCheck }), 1000 * (i + 1), HOLD)).phase[0]);
      expect(seen.join('')).toBe(phases);
    });
  }

  it('the hold-down restarted by a relapse is a full one, counted from the rise-th good check', () => {
    let s: RegionState = { phase: 'recovering', since: 0, recoveringUntil: 60_000, cause: 'x' };
    s = nextRegionState(s, inputs(3, { steadyEndpoints: 0, failedCheck: 'a: status 500' }), 59_000, HOLD);
    s = nextRegionState(s, inputs(3, { steadyEndpoints: 3 }), 61_000, HOLD);
    expect(s).toMatchObject({ phase: 'recovering', since: 61_000, recoveringUntil: 121_000 });
    expect(nextRegionState(s, inputs(3), 120_999, HOLD).phase).toBe('recovering');
    expect(nextRegionState(s, inputs(3), 121_000, HOLD).phase).toBe('up');
  });

  it('no hold-down: a recovered region is up at once', () => {
    const s: RegionState = { phase: 'down', since: 0, recoveringUntil: undefined, cause: 'x' };
    expect(nextRegionState(s, inputs(2), 5, 0).phase).toBe('up');
  });

  it('an alert holds an otherwise healthy region down', () => {
    const s = nextRegionState(initialRegionState('assume_up', false, 0), inputs(3, { forcedDown: 'alert RegionDown firing' }), 1, HOLD);
    expect(s).toMatchObject({ phase: 'down', cause: 'alert RegionDown firing' });
  });

  it('startup wait_for_checks: unknown until enough results, then up without hold-down or down', () => {
    const start = initialRegionState('wait_for_checks', true, 0);
    expect(start.phase).toBe('unknown');
    expect(nextRegionState(start, inputs(1, { unknownEndpoints: 2 }), 1, HOLD)).toBe(start);
    expect(nextRegionState(start, inputs(2, { unknownEndpoints: 1 }), 1, HOLD).phase).toBe('up');
    expect(nextRegionState(start, inputs(0, { unknownEndpoints: 1 }), 1, HOLD).phase).toBe('down');
    // regions without checks are up from the start in either mode
    expect(initialRegionState('wait_for_checks', false, 0).phase).toBe('up');
  });
});
