import { answerEndpoints, pickCandidate, resolveRule, ruleIndexFor, type RuleOutcome } from './decide.js';
import { policyRegions } from './tier-regions.js';
import type { Endpoint, NamePolicy, Random, RegionSpec, RegionStatusView } from './types.js';

// The answer plan of one steered name: every rule already resolved against the region
// status, and for each region the name can answer with, the endpoint sets a query may get.
// The DNS hot path (through its wire-encoded copy) and explain both walk a plan with the
// same three calls, outcomeFor -> pickRegion -> pickRotation, so they cannot disagree.

/** What one region of a name answers: a CNAME, or rotations of its endpoints per family. */
export interface RegionAnswerPlan {
  readonly region: string;
  /** Set for CNAME regions: the answer to every query type. */
  readonly cname: string | undefined;
  /**
   * Endpoint sets a query of each family may get: one set when the answerable endpoints fit
   * in max_answers, else one rotation per endpoint (set i starts at endpoint i). Empty: NODATA.
   */
  readonly v4: readonly (readonly Endpoint[])[];
  readonly v6: readonly (readonly Endpoint[])[];
}

/** A steered name with its rules resolved and its regions' answers laid out. */
export interface NameAnswerPlan {
  readonly policy: NamePolicy;
  /** Parallel to policy.rules. */
  readonly outcomes: readonly RuleOutcome[];
  readonly defaultOutcome: RuleOutcome;
  /** Only the regions the name's rules name (policyRegions), in rule order. */
  readonly regions: ReadonlyMap<string, RegionAnswerPlan>;
  /** A CNAME region answers every query type, so the name's other types take the steering path too. */
  readonly hasCnameRegion: boolean;
}

/**
 * The endpoint sets of one family: rotations so that every answerable endpoint gets its
 * turn when there are more than `maxAnswers` (each set is `maxAnswers` long).
 */
export function rotations(endpoints: readonly Endpoint[], maxAnswers: number): Endpoint[][] {
  if (endpoints.length === 0) return [];
  if (endpoints.length <= maxAnswers) return [[...endpoints]];
  return endpoints.map((_, i) => Array.from({ length: maxAnswers }, (_, k) => endpoints[(i + k) % endpoints.length]));
}

function regionPlan(spec: RegionSpec, status: RegionStatusView, maxAnswers: number): RegionAnswerPlan {
  const s = status.get(spec.name);
  return {
    region: spec.name,
    cname: spec.cname,
    v4: rotations(answerEndpoints(spec, s, 4), maxAnswers),
    v6: rotations(answerEndpoints(spec, s, 6), maxAnswers),
  };
}

/** The regions each rule of `plan` answers from, by rule label (what the next compile keeps while they recover). */
function answeringByRule(plan: NameAnswerPlan | undefined): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  if (!plan) return out;
  plan.policy.rules.forEach((r, i) => out.set(r.label, new Set(plan.outcomes[i].candidates.map((c) => c.region))));
  out.set(plan.policy.defaultRule.label, new Set(plan.defaultOutcome.candidates.map((c) => c.region)));
  return out;
}

/**
 * The plan of `policy` for the current region status: each rule resolved once, only its own
 * regions laid out. `previous` is the name's plan in the snapshot being replaced: a rule keeps
 * a recovering region it answered from (see resolveRule).
 */
export function compileAnswerPlan(policy: NamePolicy, regions: ReadonlyMap<string, RegionSpec>, status: RegionStatusView, previous?: NameAnswerPlan): NameAnswerPlan {
  const planned = new Map<string, RegionAnswerPlan>();
  for (const name of policyRegions(policy)) {
    const spec = regions.get(name);
    if (spec) planned.set(name, regionPlan(spec, status, policy.maxAnswers));
  }
  const answering = answeringByRule(previous);
  return {
    policy,
    outcomes: policy.rules.map((r) => resolveRule(r, status, answering.get(r.label))),
    defaultOutcome: resolveRule(policy.defaultRule, status, answering.get(policy.defaultRule.label)),
    regions: planned,
    hasCnameRegion: [...planned.values()].some((r) => r.cname !== undefined),
  };
}

/** The rule outcome for a client location: its country's rule, else its continent's, else the default. */
export function outcomeFor(plan: NameAnswerPlan, country: string | undefined, continent: string | undefined): RuleOutcome {
  const i = ruleIndexFor(plan.policy, country, continent);
  return i < 0 ? plan.defaultOutcome : plan.outcomes[i];
}

/** The region a query gets for an outcome: the only candidate, or one drawn by weight (one call of `rand`). */
export function pickRegion(outcome: RuleOutcome, rand: Random): string | undefined {
  return outcome.candidates.length === 1 ? outcome.candidates[0].region : pickCandidate(outcome, rand());
}

/** Which of `count` rotations a query gets: 0 without drawing when there is one, else one call of `rand`. */
export function pickRotation(count: number, rand: Random): number {
  return count <= 1 ? 0 : Math.floor(rand() * count);
}

/** What the scope of a steered answer is computed from (one object per caller, refilled per query). */
export interface ScopeBasis {
  /** False when the ECS address was no client location (private, dns.ecs.private: source_address) and the resolver's address decided. */
  used: boolean;
  /** Length of the GeoIP network that decided, in the bits it was looked up in (IPv4 bits for an IPv4-mapped address). */
  networkPrefix: number;
  /** The ECS source prefix, in the bits of the ECS family. */
  sourcePrefix: number;
  /** The ECS family: 1 IPv4, 2 IPv6. */
  family: number;
  /** 96 when the ECS address is IPv4-mapped IPv6 (located as IPv4, its scope counts IPv6 bits), else 0. */
  familyOffset: number;
  /**
   * With dns.ecs.scope_beyond_source: the places inside the source prefix (undefined: more than
   * can be told apart). Asked only when the network is longer than the source prefix.
   */
  placesWithinSource: (() => readonly { readonly country: string | undefined; readonly continent: string | undefined }[] | undefined) | undefined;
}

/**
 * The ECS scope prefix of a steered answer (RFC 7871 7.2.1), the one rule DNS and explain share:
 * 0 when the answer did not depend on the ECS address; else the length of the GeoIP network
 * that decided, in the ECS family's bits, never longer than the source prefix, except when
 * scope_beyond_source is on and the source prefix holds places whose outcome differs from
 * `outcome`: then the network's own length (at most /24, /56), so the resolver asks again
 * with a longer prefix.
 */
export function ecsScope(plan: NameAnswerPlan, outcome: RuleOutcome, basis: ScopeBasis): number {
  if (!basis.used) return 0;
  const network = basis.networkPrefix + basis.familyOffset;
  const source = basis.sourcePrefix;
  // the common case stays small enough for the DNS handler to inline
  return network <= source ? network : scopeBeyondNetwork(plan, outcome, basis, network, source);
}

/** ecsScope when the deciding network is longer than the source prefix. */
function scopeBeyondNetwork(plan: NameAnswerPlan, outcome: RuleOutcome, basis: ScopeBasis, network: number, source: number): number {
  // past /24 (IPv4) or /56 (IPv6), the longest source prefixes resolvers send (RFC 7871 11.1), asking for more is moot
  const longest = basis.family === 1 ? 24 : basis.familyOffset + (basis.familyOffset === 0 ? 56 : 24);
  const within = basis.placesWithinSource;
  if (within === undefined || source >= longest || answersAlike(plan, outcome, within())) return source;
  return network < longest ? network : longest;
}

/** True when every place gets `outcome` from `plan`; false for undefined (too many places to tell). */
function answersAlike(plan: NameAnswerPlan, outcome: RuleOutcome, places: readonly { readonly country: string | undefined; readonly continent: string | undefined }[] | undefined): boolean {
  if (places === undefined) return false;
  for (const p of places) if (outcomeFor(plan, p.country, p.continent) !== outcome) return false;
  return true;
}
