import { resolveRule } from './decide.js';
import type { NameAnswerPlan } from './answer-plan.js';
import { tierRegions } from './tier-regions.js';
import { leavesFirstTier, ruleTransition } from './transitions.js';
import type { RegionStatus, RegionStatusView } from './types.js';

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

/**
 * The first rule (of any name, countries, continents or default) whose first tier is usable
 * now and would have no usable region after `change`; undefined when the change strands
 * nobody. It asks the snapshot's own transition diff of a what-if: only rules whose first
 * tier holds the region are resolved again.
 */
export function wouldStrandCountry(plans: Iterable<NameAnswerPlan>, status: RegionStatusView, change: RegionChange): StrandedRule | undefined {
  const after = applyRegionChange(status, change);
  if (after === status) return undefined;
  for (const plan of plans) {
    const rules = [...plan.policy.rules, plan.policy.defaultRule];
    const outcomes = [...plan.outcomes, plan.defaultOutcome];
    for (let i = 0; i < rules.length; i++) {
      const firstTier = tierRegions(rules[i].tiers[0]);
      if (!firstTier.includes(change.region)) continue;
      const answering = new Set(outcomes[i].candidates.map((c) => c.region));
      const t = ruleTransition(plan.policy.name, rules[i], outcomes[i], resolveRule(rules[i], after, answering));
      if (t && leavesFirstTier(t)) return { name: plan.policy.name, rule: rules[i].label, firstTier };
    }
  }
  return undefined;
}
