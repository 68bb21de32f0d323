import { resolveRule } from './decide.js';
import { tierRegions } from './tier-regions.js';
import type { NamePolicy, RegionStatus, RegionStatusView, Rule } from './types.js';

/** An operator change to one region: a new weight, a drain, or both. */
export interface RegionChange {
  readonly region: string;
  readonly weight?: number;
  readonly drained?: boolean;
}

/** A rule whose first tier would lose its last usable region. */
export interface StrandedRule {
  readonly name: string;
  /** The rule's label, e.g. "countries TW,HK,MO" or "default". */
  readonly rule: string;
  /** The first tier's regions, none of which would be usable. */
  readonly firstTier: readonly string[];
}

/** The status view with `change` applied; regions it does not name are shared, not copied. */
export function applyRegionChange(status: RegionStatusView, change: RegionChange): RegionStatusView {
  const current = status.get(change.region);
  if (current === undefined) return status;
  const next: RegionStatus = { ...current, weight: change.weight ?? current.weight, drained: change.drained ?? current.drained };
  return new Map(status).set(change.region, next);
}

function firstTierRegions(rule: Rule): string[] {
  return tierRegions(rule.tiers[0]);
}

function firstTierUsable(rule: Rule, status: RegionStatusView): boolean {
  const outcome = resolveRule(rule, status);
  return !outcome.failOpen && outcome.tierIndex === 0;
}

/**
 * The first rule (of any name, countries, continents or default) whose first tier is
 * usable now and would have no usable region after `change`; undefined when the change
 * strands nobody. Tiers that are already unusable are not the change's doing.
 */
export function wouldStrandCountry(policies: readonly NamePolicy[], status: RegionStatusView, change: RegionChange): StrandedRule | undefined {
  const after = applyRegionChange(status, change);
  for (const policy of policies) {
    for (const rule of [...policy.rules, policy.defaultRule]) {
      const members = firstTierRegions(rule);
      if (!members.includes(change.region)) continue;
      if (firstTierUsable(rule, status) && !firstTierUsable(rule, after)) return { name: policy.name, rule: rule.label, firstTier: members };
    }
  }
  return undefined;
}

/** A rule whose answering tier moved because of a change (for failover/failback events). */
export interface TierMove {
  readonly name: string;
  readonly rule: string;
  /** Regions of the answering tier before and after (the first tier's when failing open). */
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** True when the new tier comes later in the list (failover), false when earlier (failback). */
  readonly failover: boolean;
}

/** Every rule whose answering tier differs between two status views. */
export function tierMoves(policies: readonly NamePolicy[], before: RegionStatusView, after: RegionStatusView): TierMove[] {
  const moves: TierMove[] = [];
  for (const policy of policies) {
    for (const rule of [...policy.rules, policy.defaultRule]) {
      const a = resolveRule(rule, before);
      const b = resolveRule(rule, after);
      const ta = a.failOpen ? rule.tiers.length : a.tierIndex;
      const tb = b.failOpen ? rule.tiers.length : b.tierIndex;
      if (ta === tb) continue;
      moves.push({ name: policy.name, rule: rule.label, from: a.candidates.map((c) => c.region), to: b.candidates.map((c) => c.region), failover: tb > ta });
    }
  }
  return moves;
}
