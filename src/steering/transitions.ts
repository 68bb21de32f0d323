import type { RuleOutcome } from './decide.js';
import type { NameAnswerPlan } from './answer-plan.js';
import type { Rule } from './types.js';

// Which answers moved between two snapshots: per steered name and rule, the regions that
// answer before and after. The one diff of steering decisions: snapshot swaps record it as
// events, and the admin API's "would this strand a first tier?" asks it of a what-if.

/** How the answering regions of one rule changed. */
export type SteeringChange = 'failover' | 'failback' | 'fail_open_entered' | 'fail_open_left';

/** One rule of one name whose answering regions changed. */
export interface SteeringTransition {
  readonly type: SteeringChange;
  readonly name: string;
  /** The rule's label ("countries TW,HK,MO", "default"). */
  readonly rule: string;
  /** Candidate regions of the answering tier before and after (the first tier's when failing open). */
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** Index of the answering tier before and after (0 while failing open). */
  readonly fromTier: number;
  readonly toTier: number;
}

/** The transition of one rule between two outcomes, or undefined when its answers did not move. */
export function ruleTransition(name: string, rule: Rule, before: RuleOutcome, after: RuleOutcome): SteeringTransition | undefined {
  const from = before.candidates.map((c) => c.region);
  const to = after.candidates.map((c) => c.region);
  const base = { name, rule: rule.label, from, to, fromTier: before.tierIndex, toTier: after.tierIndex };
  if (!before.failOpen && after.failOpen) return { type: 'fail_open_entered', ...base };
  if (before.failOpen && !after.failOpen) return { type: 'fail_open_left', ...base };
  if (before.failOpen || (from.length === to.length && from.every((r) => to.includes(r)))) return undefined;
  if (after.tierIndex !== before.tierIndex) return { type: after.tierIndex > before.tierIndex ? 'failover' : 'failback', ...base };
  // Same tier: a group lost or regained members.
  return { type: from.some((r) => !to.includes(r)) ? 'failover' : 'failback', ...base };
}

/** Every rule of one name whose answers moved; rules are matched by label, so a reload's new rules are not transitions. */
export function nameTransitions(before: NameAnswerPlan, after: NameAnswerPlan): SteeringTransition[] {
  const out: SteeringTransition[] = [];
  const previous = new Map<string, RuleOutcome>();
  before.policy.rules.forEach((r, i) => previous.set(r.label, before.outcomes[i]));
  previous.set(before.policy.defaultRule.label, before.defaultOutcome);
  const rules = [...after.policy.rules, after.policy.defaultRule];
  const outcomes = [...after.outcomes, after.defaultOutcome];
  rules.forEach((rule, i) => {
    const b = previous.get(rule.label);
    const t = b && ruleTransition(after.policy.name, rule, b, outcomes[i]);
    if (t) out.push(t);
  });
  return out;
}

/** Every transition between two snapshots' plans, by name (names added or removed by a reload have none). */
export function steeringTransitions(before: ReadonlyMap<string, NameAnswerPlan>, after: ReadonlyMap<string, NameAnswerPlan>): SteeringTransition[] {
  const out: SteeringTransition[] = [];
  for (const [name, plan] of after) {
    const previous = before.get(name);
    if (previous && previous !== plan) out.push(...nameTransitions(previous, plan));
  }
  return out;
}

/** True when a transition takes a rule off a usable first tier (to a later tier, or into fail-open). */
export function leavesFirstTier(t: SteeringTransition): boolean {
  return (t.type === 'failover' && t.fromTier === 0 && t.toTier > 0) || (t.type === 'fail_open_entered' && t.fromTier === 0);
}
