import { ecsScope, outcomeFor, pickRegion, pickRotation, type NameAnswerPlan, type ScopeBasis } from './answer-plan.js';
import { matchRule, type RuleMatch, type RuleOutcome } from './decide.js';
import type { Random, Tier } from './types.js';

/** Where the client was placed, as explain reports it. */
export interface ExplainClient {
  /** The address or prefix asked about, e.g. "1.34.5.0/24". */
  readonly query: string;
  readonly country: string | undefined;
  readonly continent: string | undefined;
  /** Prefix length of the GeoIP network that decided. */
  readonly networkPrefix: number;
  /** The prefix the client stands for (the ECS source prefix a resolver would send). */
  readonly sourcePrefix: number;
  /** False when the prefix is no client location (private, loopback, CGNAT...) and DNS locates by the resolver's address instead (dns.ecs.private). */
  readonly ecsUsed: boolean;
  /** The ECS family the prefix would be sent in: 1 IPv4, 2 IPv6. */
  readonly family: 1 | 2;
  /** 96 for an IPv4-mapped IPv6 prefix (located as IPv4, scoped in IPv6 bits), else 0. */
  readonly familyOffset: number;
}

/** The address family a query asks for. */
export type ExplainType = 'A' | 'AAAA';

/** The decision trace for one name, client and query type: every step and why. */
export interface ExplainTrace {
  readonly name: string;
  readonly type: ExplainType;
  readonly client: ExplainClient & {
    /** ECS scope the response carries (answer-plan.ts ecsScope, the rule DNS uses). */
    readonly scope: number;
  };
  readonly matched: { readonly kind: RuleMatch['kind']; readonly key: string | undefined; readonly rule: string };
  readonly tiers: readonly {
    readonly index: number;
    readonly description: string;
    readonly regions: readonly { readonly region: string; readonly weight: number; readonly usable: boolean; readonly reason: string | undefined }[];
    readonly outcome: 'chosen' | 'skipped' | 'not tried';
  }[];
  readonly failOpen: boolean;
  /** Candidates of the answering tier with their share of traffic (0..1). */
  readonly candidates: readonly { readonly region: string; readonly share: number }[];
  readonly chosen: string | undefined;
  /** What this query gets: a CNAME, or one rotation of the chosen region's endpoints (none: NODATA). */
  readonly answer: { readonly cname: string | undefined; readonly addresses: readonly string[]; readonly rotation: number; readonly rotations: number };
  /** Every endpoint the chosen region answers with now, per family (an answer holds at most max_answers of them). */
  readonly endpoints: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[]; readonly cname: string | undefined };
}

function describeTier(tier: Tier): string {
  return tier.kind === 'region' ? tier.region : `group ${tier.members.map((m) => `${m.region}:${m.share}`).join(' ')}`;
}

function tiersOf(match: RuleMatch, outcome: RuleOutcome): ExplainTrace['tiers'] {
  return match.rule.tiers.map((tier, index) => {
    const step = outcome.steps[index];
    return {
      index,
      description: describeTier(tier),
      regions: step ? step.regions.map((r) => ({ region: r.region, weight: r.weight, usable: r.skipped === undefined, reason: r.skipped })) : [],
      outcome: !step ? 'not tried' : !outcome.failOpen && index === outcome.tierIndex ? 'chosen' : 'skipped',
    };
  });
}

function unique<T>(sets: readonly (readonly T[])[]): T[] {
  return [...new Set(sets.flat())];
}

/**
 * Explains the answer a `type` query gets from `plan` for a client: the same calls in the same
 * order as the DNS hot path (outcomeFor, pickRegion, pickRotation), so with the same `rand`
 * it names the region and the rotation that query gets.
 */
export function explainAnswer(plan: NameAnswerPlan, client: ExplainClient, type: ExplainType, rand: Random, placesWithinSource?: ScopeBasis['placesWithinSource']): ExplainTrace {
  const outcome = outcomeFor(plan, client.country, client.continent);
  const chosen = pickRegion(outcome, rand);
  const region = chosen === undefined ? undefined : plan.regions.get(chosen);
  const sets = region === undefined || region.cname !== undefined ? [] : type === 'AAAA' ? region.v6 : region.v4;
  const rotation = pickRotation(sets.length, rand);
  const match = matchRule(plan.policy, client.country, client.continent);
  const basis: ScopeBasis = { used: client.ecsUsed, networkPrefix: client.networkPrefix, sourcePrefix: client.sourcePrefix, family: client.family, familyOffset: client.familyOffset, placesWithinSource };
  return {
    name: plan.policy.name,
    type,
    client: { ...client, scope: ecsScope(plan, outcome, basis) },
    matched: { kind: match.kind, key: match.key, rule: match.rule.label },
    tiers: tiersOf(match, outcome),
    failOpen: outcome.failOpen,
    candidates: outcome.candidates.map((c) => ({ region: c.region, share: outcome.totalWeight > 0 ? c.weight / outcome.totalWeight : 0 })),
    chosen,
    answer: { cname: region?.cname, addresses: (sets[rotation] ?? []).map((e) => e.address), rotation, rotations: sets.length },
    endpoints: {
      ipv4: region ? unique(region.v4).map((e) => e.address) : [],
      ipv6: region ? unique(region.v6).map((e) => e.address) : [],
      cname: region?.cname,
    },
  };
}

/** The trace as the CLI prints it. */
export function formatExplain(t: ExplainTrace & { readonly via?: string }): string {
  const where = t.client.country ? `${t.client.country} (${t.client.continent ?? '?'})` : 'unknown location';
  const lines = [
    `name:     ${t.name} ${t.type}`,
    ...(t.via !== undefined ? [`via:      ${t.via}`] : []),
    t.client.ecsUsed
      ? `client:   ${t.client.query} -> ${where}, GeoIP network /${t.client.networkPrefix}${t.client.familyOffset ? ' (IPv4 bits)' : ''}, ECS scope /${t.client.scope}`
      : `client:   ${t.client.query} -> not a client location (private, loopback, link-local, CGNAT or unique-local): DNS locates by the resolver's address; ECS scope /0`,
    `rule:     ${t.matched.rule} (matched by ${t.matched.kind}${t.matched.key ? ` ${t.matched.key}` : ''})`,
  ];
  for (const tier of t.tiers) {
    const regions = tier.regions.map((r) => `${r.region}${r.usable ? ` weight ${r.weight}` : ` skipped: ${r.reason}`}`).join(', ');
    lines.push(`tier ${tier.index}:   ${tier.description} -> ${tier.outcome}${regions ? ` [${regions}]` : ''}`);
  }
  if (t.failOpen) lines.push('fail-open: no tier usable; answering from the first tier anyway');
  if (t.candidates.length > 1) lines.push(`split:    ${t.candidates.map((c) => `${c.region} ${(c.share * 100).toFixed(1)}%`).join(', ')}`);
  lines.push(`chosen:   ${t.chosen ?? '(none)'}`);
  if (t.answer.cname) lines.push(`answer:   CNAME ${t.answer.cname}`);
  else {
    const rotation = t.answer.rotations > 1 ? ` (rotation ${t.answer.rotation + 1} of ${t.answer.rotations})` : '';
    lines.push(`answer:   ${t.type} ${t.answer.addresses.join(' ') || '(none: NODATA)'}${rotation}`);
    lines.push(`region:   A ${t.endpoints.ipv4.join(' ') || '(none)'}; AAAA ${t.endpoints.ipv6.join(' ') || '(none)'}`);
  }
  return lines.join('\n');
}
