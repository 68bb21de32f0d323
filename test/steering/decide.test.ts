import { describe, expect, it } from 'vitest';
import { decide, resolveRule } from '../../src/steering/decide.js';
import { explainDecision, formatExplain } from '../../src/steering/explain.js';
import type { NamePolicy, RegionSpec, RegionStatus, Rule } from '../../src/steering/types.js';

function region(name: string, weight = 100): RegionSpec {
  return { name, endpoints: [{ id: `${name}-v4`, address: '192.0.2.1', family: 4 }], cname: undefined, weight, drain: false };
}
const regions = new Map(['taiwan', 'singapore', 'tokyo', 'us-west'].map((n) => [n, region(n)]));

type Overrides = Partial<Record<string, Partial<RegionStatus>>>;
function status(over: Overrides = {}): Map<string, RegionStatus> {
  return new Map(
    [...regions.keys()].map((n) => [n, { weight: 100, drained: false, up: true, healthyEndpoints: new Set([`${n}-v4`]), ...over[n] }]),
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

describe('decide', () => {
  it('country first, then continent, then default; picks inside a group by weight', () => {
    const s = status();
    expect(decide(policy, { country: 'TW', continent: 'AS' }, s, () => 0.99).region).toBe('taiwan');
    expect(decide(policy, { country: 'SG', continent: 'AS' }, s, () => 0.1).region).toBe('singapore'); // 0.1 * 10 < 4
    expect(decide(policy, { country: 'SG', continent: 'AS' }, s, () => 0.5).region).toBe('taiwan');
    const fr = decide(policy, { country: 'FR', continent: 'EU' }, s, () => 0);
    expect(fr.match.kind).toBe('default');
    expect(fr.region).toBe('taiwan');
  });
});

describe('explain', () => {
  it('names each step: matched rule, skipped tiers with reasons, the choice', () => {
    const trace = explainDecision(
      policy,
      { query: '1.34.5.0/24', country: 'TW', continent: 'AS', networkPrefix: 22, scope: 22 },
      status({ taiwan: { up: false } }),
      regions,
      () => 0,
    );
    expect(trace.matched).toEqual({ kind: 'country', key: 'TW', rule: 'countries TW' });
    expect(trace.tiers.map((t) => t.outcome)).toEqual(['skipped', 'chosen']);
    expect(trace.tiers[0].regions[0]).toMatchObject({ region: 'taiwan', usable: false, reason: 'down' });
    expect(trace.chosen).toBe('tokyo');
    const text = formatExplain(trace);
    expect(text).toContain('tier 0:   taiwan -> skipped [taiwan skipped: down]');
    expect(text).toContain('chosen:   tokyo');
  });

  it('reports fail-open', () => {
    const trace = explainDecision(policy, { query: '1.34.5.0/24', country: 'TW', continent: 'AS', networkPrefix: 22, scope: 22 }, status({ taiwan: { up: false }, tokyo: { up: false } }), regions, () => 0);
    expect(trace.failOpen).toBe(true);
    expect(trace.chosen).toBe('taiwan');
    expect(formatExplain(trace)).toContain('fail-open');
  });
});
