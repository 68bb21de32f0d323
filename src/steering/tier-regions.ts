import type { NamePolicy, Tier } from './types.js';

/** The regions of a tier: the one region, or the group's members in order. */
export function tierRegions(tier: Tier): string[] {
  return tier.kind === 'region' ? [tier.region] : tier.members.map((m) => m.region);
}

/** Regions a policy can answer with, in rule order, each once. */
export function policyRegions(policy: NamePolicy): string[] {
  const out = new Set<string>();
  for (const rule of [...policy.rules, policy.defaultRule]) for (const tier of rule.tiers) for (const r of tierRegions(tier)) out.add(r);
  return [...out];
}
