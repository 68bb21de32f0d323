import type { CloudflareSyncConfig } from '../config/schema.js';
import type { QuotaShortfall } from './capacity-check.js';
import { describeRecord } from './dns-record.js';
import type { Changes } from './plan.js';
import type { RefusalDetail } from './provider-errors.js';
import type { BudgetState } from './request-budget.js';
import type { RunOutcome, RunPhase } from './sync-run.js';
import type { RunResult } from './sync-observer.js';

// What GET /v1/sync shows, computed once per run from its outcome.

/** A plan in lines an operator reads. */
export interface PlanView {
  /** Registry claims written (or, in a dry run, to be written) for names nobody held. */
  readonly claims: string[];
  /** Records created (claims' records included). */
  readonly creates: string[];
  readonly updates: string[];
  readonly deletes: string[];
  readonly conflicts: { name: string; type: string; reason: string; records: string[] }[];
  readonly noops: number;
}

/** One finished run. */
export interface RunReport {
  readonly reason: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly generation: number;
  /** ok: all applied; conflict: applied, some sets are not ours; partial: some records failed; refused: a zone-wide refusal; failed: nothing could be done. */
  readonly result: RunResult;
  readonly plan: PlanView | undefined;
  readonly applied: number;
  readonly failures: { op: string; record: string; code: number | undefined; message: string; retryable: boolean }[];
  /** What was refused, why, and what to change. */
  readonly refusal: RefusalDetail | undefined;
  readonly quota: QuotaShortfall | undefined;
  readonly error: string | undefined;
  /** Provider requests this run sent (every attempt). */
  readonly requests: number;
}

/** A run in progress. */
export interface RunProgress {
  readonly reason: string;
  readonly startedAt: string;
  readonly phase: RunPhase;
  /** Records done out of `total` in the current apply. */
  readonly done: number;
  readonly total: number;
  readonly requests: number;
  /** Set while the run pauses for the request budget or a Retry-After. */
  readonly waitingUntil: string | undefined;
}

/** Everything /v1/sync says about the Cloudflare sync. */
export interface SyncReport {
  readonly zoneId: string;
  readonly ownerId: string;
  readonly policy: CloudflareSyncConfig['policy'];
  readonly dryRun: boolean;
  /** writer: this instance holds the writer lease; standby: `holder` does; dry_run: writes nothing. */
  readonly writer: { readonly role: 'writer' | 'standby' | 'dry_run' | 'unknown'; readonly holder: string | undefined };
  readonly running: RunProgress | null;
  readonly last: RunReport | null;
  /** When the next run is due, and why it waits (back-off after failures, a rate-limit window). */
  readonly nextAttemptAt: string | null;
  readonly backoff: { readonly failures: number; readonly reason: string } | null;
  readonly budget: { readonly tokens: number; readonly capacity: number; readonly refillPerSecond: number; readonly blockedUntil: string | null } | null;
}

/** The plan view of an outcome: claims from the first plan, the rest from the last. */
export function planView(plan: Changes | undefined, claimed: RunOutcome['claimed'], dryRun: boolean): PlanView | undefined {
  if (!plan) return undefined;
  const claims = dryRun ? plan.claims : claimed;
  return {
    claims: claims.map(describeRecord),
    creates: [...(dryRun ? [...plan.awaitingClaim, ...plan.claims] : claimed), ...plan.creates].map(describeRecord),
    updates: plan.updates.map((u) => `${describeRecord(u.before)} -> ${describeRecord(u.after)}`),
    deletes: plan.deletes.map(describeRecord),
    conflicts: plan.conflicts.map(({ name, type, reason, existing }) => ({ name, type, reason, records: existing.map(describeRecord) })),
    noops: plan.noops.length,
  };
}

/** The budget as JSON. */
export function budgetView(s: BudgetState): NonNullable<SyncReport['budget']> {
  return { tokens: s.tokens, capacity: s.capacity, refillPerSecond: s.refillPerSecond, blockedUntil: s.blockedUntil === undefined ? null : new Date(s.blockedUntil).toISOString() };
}
