import { resolveRule } from './decide.js';
import type { NamePolicy, RegionStatusView, Rule } from './types.js';

// Which answers moved when the region status changed: per steered name and rule, the set
// of regions that answers before and after. Pure; the app turns the result into events.

/** How the answering regions of one rule changed. */
export type SteeringChange = 'failover' | 'failback' | 'fail_open_entered' | 'fail_open_left';

/** One rule of one name whose answering regions changed. */
export interface SteeringTransition {
  readonly type: SteeringChange;
  readonly name: string;
  /** The rule's label ("countries TW,HK,MO", "default"). */
  readonly rule: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
}

function transitionOf(policy: NamePolicy, rule: Rule, before: RegionStatusView, after: RegionStatusView): SteeringTransition | undefined {
  const b = resolveRule(rule, before);
  const a = resolveRule(rule, after);
  const from = b.candidates.map((c) => c.region);
  const to = a.candidates.map((c) => c.region);
  const base = { name: policy.name, rule: rule.label, from, to };
  if (!b.failOpen && a.failOpen) return { type: 'fail_open_entered', ...base };
  if (b.failOpen && !a.failOpen) return { type: 'fail_open_left', ...base };
  if (b.failOpen || (from.length === to.length && from.every((r) => to.includes(r)))) return undefined;
  if (a.tierIndex !== b.tierIndex) return { type: a.tierIndex > b.tierIndex ? 'failover' : 'failback', ...base };
  // Same tier, a group lost or regained members.
  return { type: from.some((r) => !to.includes(r)) ? 'failover' : 'failback', ...base };
}

/** Every rule (of every policy) whose answering regions differ between two region statuses. */
export function steeringTransitions(policies: readonly NamePolicy[], before: RegionStatusView, after: RegionStatusView): SteeringTransition[] {
  const out: SteeringTransition[] = [];
  for (const policy of policies) {
    for (const rule of [...policy.rules, policy.defaultRule]) {
      const t = transitionOf(policy, rule, before, after);
      if (t) out.push(t);
    }
  }
  return out;
}
