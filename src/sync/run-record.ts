import type { EventLog } from '../events/event-log.js';
import type { Logger } from '../shared/logger.js';
import { describeRecord } from './dns-record.js';
import type { SyncObserver } from './sync-observer.js';
import { planView, type RunReport } from './sync-report.js';
import type { RunOutcome } from './sync-run.js';

// Everything that shows a finished pass, fed from its one outcome: the report for /v1/sync,
// the log lines, the events and the metrics. Repeats stay quiet: a refusal, a conflict set
// or a rate-limit window is logged at warn/error and recorded as an event when it starts or
// changes, not again on every retry of the same state.

/** Where outcomes are shown. */
export interface RecorderDeps {
  readonly log: Logger;
  readonly events?: EventLog;
  readonly observer: SyncObserver;
  readonly now: () => number;
}

/** Facts of a pass the outcome does not carry. */
export interface PassMeta {
  readonly reason: string;
  readonly startedAt: number;
  readonly generation: number;
  readonly requests: number;
  readonly dryRun: boolean;
}

/** Turns outcomes into reports, logs, events and metrics (see the header). */
export class OutcomeRecorder {
  private lastRefusal: string | undefined;
  private lastConflicts = '';

  constructor(private readonly deps: RecorderDeps) {}

  record(o: RunOutcome, meta: PassMeta): RunReport {
    const { log, events, observer } = this.deps;
    const now = this.deps.now();
    const plan = planView(o.plan, o.claimed, meta.dryRun);
    const failures = o.failed.map((f) => ({ op: f.op, record: describeRecord(f.record), code: f.code, message: f.message, retryable: f.retryable }));
    const report: RunReport = {
      reason: meta.reason,
      startedAt: new Date(meta.startedAt).toISOString(),
      finishedAt: new Date(now).toISOString(),
      generation: meta.generation,
      result: o.result,
      plan,
      applied: o.applied.length,
      failures,
      refusal: o.refusal,
      quota: o.shortfall,
      error: o.error,
      requests: meta.requests,
    };
    const summary = { reason: meta.reason, result: o.result, requests: meta.requests, creates: plan?.creates.length, updates: plan?.updates.length, deletes: plan?.deletes.length, conflicts: plan?.conflicts.length, noops: plan?.noops };

    if (plan && !meta.dryRun) {
      observer.planned('create', plan.creates.length);
      observer.planned('update', plan.updates.length);
      observer.planned('delete', plan.deletes.length);
    }
    for (const op of ['create', 'update', 'delete'] as const) {
      observer.applied(op, o.applied.filter((a) => a.op === op).length);
      observer.failed(op, o.failed.filter((f) => f.op === op).length);
    }
    if (plan) this.conflicts(plan.conflicts);
    observer.runFinished(o.result, now);

    if (o.result === 'dry_run') log.info({ ...summary, plan, quota: o.shortfall }, 'cloudflare sync dry run: nothing changed');
    else if (o.result === 'refused' && o.refusal) {
      observer.refused(o.refusal.reason);
      log.error({ ...summary, what: o.refusal.what, why: o.refusal.why, fix: o.refusal.fix, quota: o.shortfall }, `cloudflare sync refused: ${o.refusal.what}`);
      const key = `${o.refusal.reason}|${o.refusal.code}|${o.refusal.what}`;
      if (key !== this.lastRefusal) events?.record({ type: 'sync_refused', cause: `cloudflare: ${o.refusal.what}: ${o.refusal.why}`, detail: { reason: o.refusal.reason, code: o.refusal.code, fix: o.refusal.fix } });
      this.lastRefusal = key;
    } else if (o.retryAt !== undefined) {
      log.warn({ ...summary, retryAt: new Date(o.retryAt).toISOString(), applied: o.applied.length }, 'cloudflare sync paused by the rate limit; the published records stay as they are until then');
      events?.record({ type: 'sync_rate_limited', cause: `cloudflare: ${o.error}`, detail: { retryAt: new Date(o.retryAt).toISOString(), applied: o.applied.length } });
    } else if (o.result === 'failed') {
      log.error({ ...summary, err: o.error }, 'cloudflare sync failed; the last published records stay as they are');
      events?.record({ type: 'sync_failed', cause: `cloudflare: ${o.error}` });
    } else log.info({ ...summary, applied: o.applied.length, failed: o.failed.length }, `cloudflare sync ${o.result}`);
    if (o.result !== 'refused') this.lastRefusal = undefined;

    for (const f of failures) log.warn(f, 'cloudflare record not applied');
    if (!meta.dryRun && (o.applied.length > 0 || o.failed.length > 0)) {
      events?.record({
        type: o.failed.length === 0 ? 'sync_applied' : 'sync_failed',
        cause: `cloudflare: ${o.applied.length} applied, ${o.failed.length} failed`,
        detail: { failed: failures.map((f) => `${f.op} ${f.record}: ${f.message}`).slice(0, 20) },
      });
    }
    return report;
  }

  private conflicts(conflicts: NonNullable<RunReport['plan']>['conflicts']): void {
    this.deps.observer.conflicts(conflicts.length);
    const key = conflicts.map((c) => `${c.name}|${c.type}|${c.reason}|${c.records.join(',')}`).join('\n');
    if (key === this.lastConflicts) return;
    this.lastConflicts = key;
    for (const c of conflicts) this.deps.log.warn(c, 'cloudflare sync conflict: records geosteer does not own are left alone');
    if (conflicts.length > 0) {
      this.deps.events?.record({ type: 'sync_conflict', cause: `cloudflare: ${conflicts.length} record set(s) not (fully) geosteer's: left alone`, detail: { conflicts: conflicts.slice(0, 20).map((c) => `${c.name} ${c.type}: ${c.reason}`) } });
    }
  }
}
