import type { Endpoint, MatchKind, NamePolicy, RegionSpec, RegionStatus, RegionStatusView, Rule, Tier } from './types.js';

/** Why a region in a tier could not take traffic. */
export type SkipReason = 'down' | 'recovering (hold-down)' | 'drained' | 'weight 0' | 'unknown region';

/** A region considered in a tier, with its effective weight and why it was skipped. */
export interface RegionVerdict {
  readonly region: string;
  /** share x weight / 100 for group members, the region weight for a single-region tier. */
  readonly weight: number;
  readonly skipped: SkipReason | undefined;
}

/** One tier as tried: its regions and whether any could take traffic. */
export interface TierStep {
  readonly index: number;
  readonly regions: readonly RegionVerdict[];
  readonly usable: boolean;
}

/** A region that may be picked, with the upper bound of its slice of [0, total). */
export interface Candidate {
  readonly region: string;
  readonly weight: number;
  readonly cumulative: number;
}

/** The result of walking a rule's tiers against the current region status. */
export interface RuleOutcome {
  /** Index of the tier that answers; 0 when failing open. */
  readonly tierIndex: number;
  /** True when no tier was usable and the first tier answers anyway (like Route 53). */
  readonly failOpen: boolean;
  readonly candidates: readonly Candidate[];
  readonly totalWeight: number;
  readonly steps: readonly TierStep[];
}

/** Which rule applies to a client, and how it was found. */
export interface RuleMatch {
  readonly rule: Rule;
  readonly kind: MatchKind;
  /** The country or continent code that matched; undefined for the default. */
  readonly key: string | undefined;
}

/** Index into policy.rules for a client location (country first, then continent), or -1 for the default. */
export function ruleIndexFor(policy: NamePolicy, country: string | undefined, continent: string | undefined): number {
  if (country !== undefined) {
    const i = policy.byCountry.get(country);
    if (i !== undefined) return i;
  }
  if (continent !== undefined) {
    const i = policy.byContinent.get(continent);
    if (i !== undefined) return i;
  }
  return -1;
}

/** The rule for a client location: its country first, then its continent, then the default. */
export function matchRule(policy: NamePolicy, country: string | undefined, continent: string | undefined): RuleMatch {
  const i = ruleIndexFor(policy, country, continent);
  if (i < 0) return { rule: policy.defaultRule, kind: 'default', key: undefined };
  return country !== undefined && policy.byCountry.get(country) === i
    ? { rule: policy.rules[i], kind: 'country', key: country }
    : { rule: policy.rules[i], kind: 'continent', key: continent };
}

function tierMembers(tier: Tier): readonly { region: string; share: number }[] {
  return tier.kind === 'region' ? [{ region: tier.region, share: 100 }] : tier.members;
}

function verdictFor(region: string, share: number, status: RegionStatus | undefined, answering: ReadonlySet<string>): RegionVerdict {
  if (status === undefined) return { region, weight: 0, skipped: 'unknown region' };
  const weight = (share * status.weight) / 100;
  // A recovering region is held back from new traffic only: traffic already on it stays.
  const down = !status.up && !(status.recovering && answering.has(region));
  const skipped: SkipReason | undefined = status.drained ? 'drained' : down ? (status.recovering ? 'recovering (hold-down)' : 'down') : status.weight <= 0 ? 'weight 0' : undefined;
  return { region, weight, skipped };
}

const NONE: ReadonlySet<string> = new Set();

function candidatesOf(verdicts: readonly { region: string; weight: number }[]): { candidates: Candidate[]; total: number } {
  let total = 0;
  const candidates: Candidate[] = [];
  for (const v of verdicts) {
    total += v.weight;
    candidates.push({ region: v.region, weight: v.weight, cumulative: total });
  }
  return { candidates, total };
}

/**
 * Walks the tiers in order: the first with a usable region (up, not drained, weight > 0)
 * answers. When none is usable the first tier answers anyway (fail open), because an
 * answer that may be down beats no answer when the checks themselves may be wrong.
 * `answering`: the regions the rule answered from until now; those of them that are
 * recovering count as usable, so leaving fail-open (or a hold-down ending elsewhere) does not
 * send clients through an intermediate tier and back.
 */
export function resolveRule(rule: Rule, status: RegionStatusView, answering: ReadonlySet<string> = NONE): RuleOutcome {
  const steps: TierStep[] = [];
  for (let index = 0; index < rule.tiers.length; index++) {
    const regions = tierMembers(rule.tiers[index]).map((m) => verdictFor(m.region, m.share, status.get(m.region), answering));
    const usable = regions.filter((r) => r.skipped === undefined);
    steps.push({ index, regions, usable: usable.length > 0 });
    if (usable.length > 0) {
      const { candidates, total } = candidatesOf(usable);
      return { tierIndex: index, failOpen: false, candidates, totalWeight: total, steps };
    }
  }
  // Fail open: the first tier's known regions by their shares alone; weights and drains
  // are what put us here, so they cannot choose among the survivors.
  const first = tierMembers(rule.tiers[0]).filter((m) => status.has(m.region));
  const { candidates, total } = candidatesOf(first.map((m) => ({ region: m.region, weight: m.share })));
  return { tierIndex: 0, failOpen: true, candidates, totalWeight: total, steps };
}

/** Picks a candidate by weight; `r` is a number in [0, 1). */
export function pickCandidate(outcome: RuleOutcome, r: number): string | undefined {
  const { candidates } = outcome;
  if (candidates.length === 1) return candidates[0].region;
  const x = r * outcome.totalWeight;
  for (const c of candidates) if (x < c.cumulative) return c.region;
  return candidates.length > 0 ? candidates[candidates.length - 1].region : undefined;
}

/**
 * The endpoints of `family` to answer for a region: the healthy ones, or all of them when
 * none of that family is healthy (the region was chosen, so answering beats NODATA).
 */
export function answerEndpoints(spec: RegionSpec, status: RegionStatus | undefined, family: 4 | 6): Endpoint[] {
  const ofFamily = spec.endpoints.filter((e) => e.family === family);
  const healthy = status ? ofFamily.filter((e) => status.healthyEndpoints.has(e.id)) : ofFamily;
  return healthy.length > 0 ? healthy : ofFamily;
}
