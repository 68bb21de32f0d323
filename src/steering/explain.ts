import { answerEndpoints, decide, type RuleMatch, type RuleOutcome } from './decide.js';
import type { NamePolicy, Random, RegionSpec, RegionStatusView, Tier } from './types.js';

/** Where the client was placed, as explain reports it. */
export interface ExplainClient {
  /** The address or prefix asked about, e.g. "1.34.5.0/24". */
  readonly query: string;
  readonly country: string | undefined;
  readonly continent: string | undefined;
  /** Prefix length of the GeoIP network that decided. */
  readonly networkPrefix: number;
  /** ECS scope a response would carry: the network prefix capped at the client's prefix. */
  readonly scope: number;
}

/** The decision trace for one name and client: every step and why. */
export interface ExplainTrace {
  readonly name: string;
  readonly client: ExplainClient;
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
      regions: step
        ? step.regions.map((r) => ({ region: r.region, weight: r.weight, usable: r.skipped === undefined, reason: r.skipped }))
        : [],
      outcome: !step ? 'not tried' : !outcome.failOpen && index === outcome.tierIndex ? 'chosen' : 'skipped',
    };
  });
}

/** Explains the decision for a client; `rand` picks inside a group exactly as a query would. */
export function explainDecision(
  policy: NamePolicy,
  client: ExplainClient,
  status: RegionStatusView,
  regions: ReadonlyMap<string, RegionSpec>,
  rand: Random,
): ExplainTrace {
  const { match, outcome, region: chosen } = decide(policy, client, status, rand);
  const spec = chosen === undefined ? undefined : regions.get(chosen);
  const regionStatus = chosen === undefined ? undefined : status.get(chosen);
  return {
    name: policy.name,
    client,
    matched: { kind: match.kind, key: match.key, rule: match.rule.label },
    tiers: tiersOf(match, outcome),
    failOpen: outcome.failOpen,
    candidates: outcome.candidates.map((c) => ({ region: c.region, share: outcome.totalWeight > 0 ? c.weight / outcome.totalWeight : 0 })),
    chosen,
    endpoints: {
      ipv4: spec ? answerEndpoints(spec, regionStatus, 4).slice(0, policy.maxAnswers).map((e) => e.address) : [],
      ipv6: spec ? answerEndpoints(spec, regionStatus, 6).slice(0, policy.maxAnswers).map((e) => e.address) : [],
      cname: spec?.cname,
    },
  };
}

/** The trace as the CLI prints it. */
export function formatExplain(t: ExplainTrace): string {
  const where = t.client.country ? `${t.client.country} (${t.client.continent ?? '?'})` : 'unknown location';
  const lines = [
    `name:     ${t.name}`,
    `client:   ${t.client.query} -> ${where}, GeoIP network /${t.client.networkPrefix}, ECS scope /${t.client.scope}`,
    `rule:     ${t.matched.rule} (matched by ${t.matched.kind}${t.matched.key ? ` ${t.matched.key}` : ''})`,
  ];
  for (const tier of t.tiers) {
    const regions = tier.regions.map((r) => `${r.region}${r.usable ? ` weight ${r.weight}` : ` skipped: ${r.reason}`}`).join(', ');
    lines.push(`tier ${tier.index}:   ${tier.description} -> ${tier.outcome}${regions ? ` [${regions}]` : ''}`);
  }
  if (t.failOpen) lines.push('fail-open: no tier usable; answering from the first tier anyway');
  if (t.candidates.length > 1) lines.push(`split:    ${t.candidates.map((c) => `${c.region} ${(c.share * 100).toFixed(1)}%`).join(', ')}`);
  lines.push(`chosen:   ${t.chosen ?? '(none)'}`);
  if (t.endpoints.cname) lines.push(`answer:   CNAME ${t.endpoints.cname}`);
  else lines.push(`answer:   A ${t.endpoints.ipv4.join(' ') || '(none: NODATA)'}; AAAA ${t.endpoints.ipv6.join(' ') || '(none: NODATA)'}`);
  return lines.join('\n');
}
