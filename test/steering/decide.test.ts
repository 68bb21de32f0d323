import { describe, expect, it } from 'vitest';
import { compileAnswerPlan, outcomeFor, pickRegion, rotations } from '../../src/steering/answer-plan.js';
import { matchRule, resolveRule } from '../../src/steering/decide.js';
import { explainAnswer, formatExplain } from '../../src/steering/explain.js';
import type { Endpoint, NamePolicy, RegionSpec, RegionStatus, Rule } from '../../src/steering/types.js';

function region(name: string, weight = 100): RegionSpec {
  return { name, endpoints: [{ id: `${name}-v4`, address: '192.0.2.1', family: 4 }], cname: undefined, weight, drain: false };
}
const regions = new Map(['taiwan', 'singapore', 'tokyo', 'us-west'].map((n) => [n, region(n)]));

type Overrides = Partial<Record<string, Partial<RegionStatus>>>;
function status(over: Overrides = {}): Map<string, RegionStatus> {
  return new Map(
    [...regions.keys()].map((n) => [n, { weight: 100, drained: false, up: true, recovering: false, healthyEndpoints: new Set([`${n}-v4`]), ...over[n] }]),
  );
}

const TW: Rule = { label: 'countries TW', tiers: [{ kind: 'region', region: 'taiwan' }, { kind: 'region', region: 'tokyo' }] };
const SEA: Rule = {
  label: 'countries SG',
  tiers: [{ kind: 'group', members: [{ region: 'singapore', share: 4 }, { region: 'taiwan', share: 6 }] }, { kind: 'region', region: 'tokyo' }],
};
const policy: NamePolicy = {
  name: 'api.example.com',
  ttl: 30,
  maxAnswers: 8,
  rules: [TW, SEA],
  byCountry: new Map([['TW', 0], ['SG', 1]]),
  byContinent: new Map(),
  defaultRule: { label: 'default', tiers: [{ kind: 'region', region: 'taiwan' }, { kind: 'region', region: 'tokyo' }] },
};

describe('resolveRule: the first usable tier answers', () => {
  const table: [string, Rule, Overrides, { tier: number; failOpen: boolean; regions: string[]; skipped?: string }][] = [
    ['all healthy -> first tier', TW, {}, { tier: 0, failOpen: false, regions: ['taiwan'] }],
    ['primary down -> next tier', TW, { taiwan: { up: false } }, { tier: 1, failOpen: false, regions: ['tokyo'], skipped: 'down' }],
    ['primary drained -> skipped', TW, { taiwan: { drained: true } }, { tier: 1, failOpen: false, regions: ['tokyo'], skipped: 'drained' }],
    ['primary weight 0 -> skipped', TW, { taiwan: { weight: 0 } }, { tier: 1, failOpen: false, regions: ['tokyo'], skipped: 'weight 0' }],
    ['all down -> fail open on the first tier', TW, { taiwan: { up: false }, tokyo: { up: false } }, { tier: 0, failOpen: true, regions: ['taiwan'] }],
    ['all drained -> fail open, never empty', TW, { taiwan: { drained: true }, tokyo: { drained: true } }, { tier: 0, failOpen: true, regions: ['taiwan'] }],
    ['group member down -> the rest of the group', SEA, { singapore: { up: false } }, { tier: 0, failOpen: false, regions: ['taiwan'] }],
    ['whole group down -> next tier', SEA, { singapore: { up: false }, taiwan: { drained: true } }, { tier: 1, failOpen: false, regions: ['tokyo'] }],
    ['group all down and next tier down -> fail open over the group', SEA, { singapore: { up: false }, taiwan: { up: false }, tokyo: { up: false } }, { tier: 0, failOpen: true, regions: ['singapore', 'taiwan'] }],
  ];
  for (const [label, rule, over, want] of table) {
    it(label, () => {
      const outcome = resolveRule(rule, status(over));
      expect(outcome.tierIndex).toBe(want.tier);
      expect(outcome.failOpen).toBe(want.failOpen);
      expect(outcome.candidates.map((c) => c.region)).toEqual(want.regions);
      if (want.skipped) expect(outcome.steps[0].regions[0].skipped).toBe(want.skipped);
    });
  }

  it('group weights multiply with region weights', () => {
    const outcome = resolveRule(SEA, status({ taiwan: { weight: 50 } }));
    expect(outcome.candidates.map((c) => [c.region, c.weight])).toEqual([['singapore', 4], ['taiwan', 3]]);
  });
});

describe('answer plan: outcomeFor and pickRegion', () => {
  it('country first, then continent, then default; picks inside a group by weight', () => {
    const plan = compileAnswerPlan(policy, regions, status());
    const pick = (country: string, continent: string, r: number) => pickRegion(outcomeFor(plan, country, continent), () => r);
    expect(pick('TW', 'AS', 0.99)).toBe('taiwan');
    expect(pick('SG', 'AS', 0.1)).toBe('singapore'); // 0.1 * 10 < 4
    expect(pick('SG', 'AS', 0.5)).toBe('taiwan');
    expect(matchRule(policy, 'FR', 'EU').kind).toBe('default');
    expect(pick('FR', 'EU', 0)).toBe('taiwan');
  });

  it('lays out only the regions the name uses (us-west is configured, not used)', () => {
    expect([...compileAnswerPlan(policy, regions, status()).regions.keys()]).toEqual(['taiwan', 'tokyo', 'singapore']);
  });

  it('rotations give every endpoint its turn when there are more than max_answers', () => {
    const e = (n: number): Endpoint => ({ id: `e${n}`, address: `192.0.2.${n}`, family: 4 });
    const ids = (sets: Endpoint[][]) => sets.map((set) => set.map((x) => x.id).join(','));
    expect(ids(rotations([e(1), e(2), e(3)], 1))).toEqual(['e1', 'e2', 'e3']);
    expect(ids(rotations([e(1), e(2), e(3)], 2))).toEqual(['e1,e2', 'e2,e3', 'e3,e1']);
    expect(ids(rotations([e(1), e(2)], 8))).toEqual(['e1,e2']);
    expect(rotations([], 8)).toEqual([]);
  });
});

describe('explain', () => {
  it('names each step: matched rule, skipped tiers with reasons, the choice', () => {
    const trace = explainAnswer(
      compileAnswerPlan(policy, regions, status({ taiwan: { up: false } })),
      { query: '1.34.5.0/24', country: 'TW', continent: 'AS', networkPrefix: 22, sourcePrefix: 24, ecsUsed: true, family: 1, familyOffset: 0 },
      'A',
      () => 0,
    );
    expect(trace.client.scope).toBe(22);
    expect(trace.matched).toEqual({ kind: 'country', key: 'TW', rule: 'countries TW' });
    expect(trace.tiers.map((t) => t.outcome)).toEqual(['skipped', 'chosen']);
    expect(trace.tiers[0].regions[0]).toMatchObject({ region: 'taiwan', usable: false, reason: 'down' });
    expect(trace.chosen).toBe('tokyo');
    const text = formatExplain(trace);
    expect(text).toContain('tier 0:   taiwan -> skipped [taiwan skipped: down]');
    expect(text).toContain('chosen:   tokyo');
  });

  it('reports fail-open', () => {
    const plan = compileAnswerPlan(policy, regions, status({ taiwan: { up: false }, tokyo: { up: false } }));
    const trace = explainAnswer(plan, { query: '1.34.5.0/24', country: 'TW', continent: 'AS', networkPrefix: 22, sourcePrefix: 24, ecsUsed: true, family: 1, familyOffset: 0 }, 'A', () => 0);
    expect(trace.failOpen).toBe(true);
    expect(trace.chosen).toBe('taiwan');
    expect(formatExplain(trace)).toContain('fail-open');
  });
});
