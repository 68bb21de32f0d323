import { describe, expect, it } from 'vitest';
import { compileAnswerPlan } from '../../src/steering/answer-plan.js';
import { regionStatusView, type HealthView } from '../../src/steering/region-status.js';
import { steeringTransitions } from '../../src/steering/transitions.js';
import { exampleDocument, loadDocument } from '../support/test-server.js';

const { model } = loadDocument(exampleDocument());

function status(down: string[], drained: string[] = []) {
  const health: HealthView = { regionUp: (r) => !down.includes(r), endpointUp: () => true };
  return regionStatusView(model.regions, { weights: new Map(), drains: new Map(drained.map((d) => [d, {}])) }, health);
}

function plans(s: ReturnType<typeof status>) {
  return new Map(model.policies.map((p) => [p.name, compileAnswerPlan(p, model.regions, s)]));
}

function describeAll(before: ReturnType<typeof status>, after: ReturnType<typeof status>): string[] {
  return steeringTransitions(plans(before), plans(after)).map((t) => `${t.type} ${t.rule}: ${t.from.join('+')}->${t.to.join('+')}`);
}

describe('steeringTransitions (example config: api.example.com)', () => {
  const cases: [string, string[], string[], string[]][] = [
    // [label, regions down before, regions down after, transitions]
    ['nothing changes', [], [], []],
    ['us-west down: only NA moves', [], ['us-west'], ['failover continents NA: us-west->tokyo']],
    [
      'taiwan down: TW and default fail over, the SG group loses taiwan',
      [],
      ['taiwan'],
      ['failover countries TW,HK,MO: taiwan->tokyo', 'failover countries SG,MY,PH,ID,TH,VN: singapore+taiwan->singapore', 'failover default: taiwan->tokyo'],
    ],
    [
      'taiwan back: the reverse, as failbacks',
      ['taiwan'],
      [],
      ['failback countries TW,HK,MO: tokyo->taiwan', 'failback countries SG,MY,PH,ID,TH,VN: singapore->singapore+taiwan', 'failback default: tokyo->taiwan'],
    ],
    [
      'tokyo down too: fail open where taiwan and tokyo were every tier',
      ['taiwan'],
      ['taiwan', 'tokyo'],
      ['fail_open_entered countries TW,HK,MO: tokyo->taiwan', 'fail_open_entered countries JP,KR: tokyo->tokyo', 'fail_open_entered default: tokyo->taiwan'],
    ],
    [
      'tokyo back while taiwan is down: fail-open left',
      ['taiwan', 'tokyo'],
      ['taiwan'],
      ['fail_open_left countries TW,HK,MO: taiwan->tokyo', 'fail_open_left countries JP,KR: tokyo->tokyo', 'fail_open_left default: taiwan->tokyo'],
    ],
  ];
  for (const [label, before, after, expected] of cases) {
    it(label, () => expect(describeAll(status(before), status(after))).toEqual(expected));
  }

  it('carries the tier indices (what the strand check reads)', () => {
    expect(steeringTransitions(plans(status([])), plans(status(['us-west'])))).toEqual([
      { type: 'failover', name: 'api.example.com', rule: 'continents NA', from: ['us-west'], to: ['tokyo'], fromTier: 0, toTier: 1 },
    ]);
  });

  it('a drained region moves traffic like a down one', () => {
    expect(describeAll(status([]), status([], ['tokyo']))).toEqual(['failover countries JP,KR: tokyo->taiwan']);
  });
});
