import type { CloudflareSyncConfig } from '../config/schema.js';
import type { Snapshot } from '../dns/snapshot.js';
import type { EventLog } from '../events/event-log.js';
import type { Logger } from '../shared/logger.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';
import { desiredRecords, managedSuffixes, unknownRecordNames } from './desired-records.js';
import { parseRegistryRecord } from './registry.js';
import type { ApplyResult, DnsProvider } from './dns-provider.js';
import { describeRecord, type DnsRecord } from './dns-record.js';
import { isEmptyPlan, planChanges, type Changes } from './plan.js';

/** One sync run as the admin API shows it. */
export interface SyncReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly generation: number;
  readonly policy: CloudflareSyncConfig['policy'];
  readonly dryRun: boolean;
  /** ok: everything applied; partial: some records failed; failed: listing or apply failed as a whole. */
  readonly result: 'ok' | 'partial' | 'failed' | 'dry_run';
  readonly plan: {
    readonly creates: string[];
    readonly updates: string[];
    readonly deletes: string[];
    readonly conflicts: { name: string; type: string; reason: string }[];
    readonly noops: number;
  } | undefined;
  readonly applied: number;
  readonly failures: { op: string; record: string; code: number | undefined; message: string; retryable: boolean }[];
  readonly error: string | undefined;
}

/** What the reconciler is built from. */
export interface ReconcilerOptions {
  readonly provider: DnsProvider;
  readonly config: CloudflareSyncConfig;
  /** Zones delegation_ns writes NS records for (delegatedZones(config)). */
  readonly delegated: readonly string[];
  readonly snapshot: () => Snapshot;
  readonly log: Logger;
  readonly events?: EventLog;
  readonly metrics?: SyncMetrics;
  /** After a failed or partial run, try again this soon (default 30 s; never later than the interval). */
  readonly retryDelayMs?: number;
  readonly now?: () => number;
}

function fingerprint(records: readonly DnsRecord[]): string {
  return records.map(describeRecord).sort().join('\n');
}

/**
 * Keeps the provider in line with the snapshot: a run lists the managed names, plans, and
 * applies (or only logs, in dry-run). Runs are serialized; triggers during a run fold
 * into one follow-up run. Triggers: a snapshot change that alters the desired records
 * (debounced), the interval, and a retry after failures.
 */
export class Reconciler {
  private readonly cfg: CloudflareSyncConfig;
  private running: Promise<SyncReport> | undefined;
  private rerun = false;
  private last: SyncReport | undefined;
  private lastDesired: string | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private intervalTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly cleanups: (() => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: ReconcilerOptions) {
    this.cfg = opts.config;
    this.now = opts.now ?? Date.now;
  }

  /** The last run's report, if any. */
  lastReport(): SyncReport | undefined {
    return this.last;
  }

  /** Starts the interval and runs once now. */
  start(): void {
    this.stopped = false;
    this.intervalTimer = setInterval(() => void this.syncNow('interval'), this.cfg.interval);
    this.intervalTimer.unref();
    void this.syncNow('start');
  }

  /** Tells the reconciler the snapshot changed; a run follows after the debounce when the desired records differ. */
  notify(snapshot: Snapshot): void {
    if (this.stopped) return;
    const desired = fingerprint(this.desired(snapshot));
    if (desired === this.lastDesired) return;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.syncNow('snapshot change'), this.cfg.debounce);
    this.debounceTimer.unref();
  }

  /** Runs `cleanup` on stop() (e.g. the unsubscribe from the app's snapshots). */
  onStop(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  /** Stops the timers and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.cleanups.splice(0)) c();
    clearTimeout(this.debounceTimer);
    clearTimeout(this.retryTimer);
    clearInterval(this.intervalTimer);
    await this.running?.catch(() => undefined);
  }

  private desired(snapshot: Snapshot): DnsRecord[] {
    return desiredRecords(snapshot.model, snapshot.status, this.cfg, this.opts.delegated);
  }

  /** Runs a sync now (or joins the one running and then runs again); resolves with its report. */
  async syncNow(reason = 'manual'): Promise<SyncReport> {
    if (this.running) {
      this.rerun = true;
      await this.running.catch(() => undefined);
      return this.running ?? this.syncNow(reason);
    }
    this.running = this.run(reason);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
      if (this.rerun && !this.stopped) {
        this.rerun = false;
        void this.syncNow('follow-up');
      }
    }
  }

  private async run(reason: string): Promise<SyncReport> {
    const startedAt = new Date(this.now()).toISOString();
    const snapshot = this.opts.snapshot();
    const desired = this.desired(snapshot);
    const policy = { mode: this.cfg.policy, ownerId: this.cfg.owner_id };
    const base = { startedAt, generation: snapshot.generation, policy: this.cfg.policy, dryRun: this.cfg.dry_run };
    const { log, metrics } = this.opts;
    let changes: Changes | undefined;
    let result: ApplyResult | undefined;
    try {
      const listed = await this.opts.provider.records(managedSuffixes(this.cfg, this.opts.delegated));
      // Regions with no address yet: leave whatever is published for them untouched.
      const unknown = new Set(unknownRecordNames(snapshot.model, this.cfg));
      const current = listed.filter((r) => !unknown.has(parseRegistryRecord(r)?.name ?? r.name));
      changes = planChanges(current, desired, policy);
      metrics?.conflicts.set(changes.conflicts.length);
      for (const c of changes.conflicts) log.warn({ name: c.name, type: c.type, reason: c.reason }, 'cloudflare sync conflict: record set left alone');
      const summary = { reason, creates: changes.creates.length, updates: changes.updates.length, deletes: changes.deletes.length, conflicts: changes.conflicts.length, noops: changes.noops.length };
      const plan = this.planView(changes);
      if (this.cfg.dry_run) {
        log.info({ ...summary, plan }, 'cloudflare sync dry run: nothing changed');
        metrics?.runs.inc({ result: 'dry_run' });
        return this.finish({ ...base, result: 'dry_run', plan, applied: 0, failures: [], error: undefined }, desired);
      }
      metrics?.planned.inc({ op: 'create' }, changes.creates.length);
      metrics?.planned.inc({ op: 'update' }, changes.updates.length);
      metrics?.planned.inc({ op: 'delete' }, changes.deletes.length);
      result = isEmptyPlan(changes) ? { applied: [], failed: [] } : await this.opts.provider.apply(changes);
      for (const a of result.applied) metrics?.applied.inc({ op: a.op });
      for (const f of result.failed) metrics?.failed.inc({ op: f.op });
      const outcome = result.failed.length === 0 ? 'ok' : 'partial';
      const failures = result.failed.map((f) => ({ op: f.op, record: describeRecord(f.record), code: f.code, message: f.message, retryable: f.retryable }));
      log.info({ ...summary, applied: result.applied.length, failed: result.failed.length }, `cloudflare sync ${outcome}`);
      for (const f of failures) log.warn(f, 'cloudflare record not applied');
      if (outcome === 'ok') metrics?.lastSuccess.set(this.now() / 1000);
      metrics?.runs.inc({ result: outcome });
      if (result.applied.length > 0 || result.failed.length > 0) {
        this.opts.events?.record({
          type: outcome === 'ok' ? 'sync_applied' : 'sync_failed',
          cause: `cloudflare: ${result.applied.length} applied, ${result.failed.length} failed`,
          detail: { failed: failures.map((f) => `${f.op} ${f.record}: ${f.message}`).slice(0, 20) },
        });
      }
      const report = this.finish(
        {
          ...base,
          result: outcome,
          plan,
          applied: result.applied.length,
          failures,
          error: undefined,
        },
        outcome === 'ok' ? desired : undefined,
      );
      if (outcome !== 'ok') this.scheduleRetry();
      return report;
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      log.error({ reason, err: message }, 'cloudflare sync failed; the last published records stay as they are');
      metrics?.runs.inc({ result: 'failed' });
      this.opts.events?.record({ type: 'sync_failed', cause: `cloudflare: ${message}` });
      this.scheduleRetry();
      return this.finish({ ...base, result: 'failed', plan: changes && this.planView(changes), applied: result?.applied.length ?? 0, failures: [], error: message }, undefined);
    }
  }

  private finish(report: Omit<SyncReport, 'finishedAt'>, synced: readonly DnsRecord[] | undefined): SyncReport {
    const full = { ...report, finishedAt: new Date(this.now()).toISOString() };
    this.last = full;
    // Only a run that converged makes later identical snapshots irrelevant.
    this.lastDesired = synced ? fingerprint(synced) : undefined;
    return full;
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.syncNow('retry'), Math.min(this.opts.retryDelayMs ?? 30_000, this.cfg.interval));
    this.retryTimer.unref();
  }

  private planView(c: Changes): NonNullable<SyncReport['plan']> {
    return {
      creates: c.creates.map(describeRecord),
      updates: c.updates.map((u) => `${describeRecord(u.before)} -> ${describeRecord(u.after)}`),
      deletes: c.deletes.map(describeRecord),
      conflicts: c.conflicts.map(({ name, type, reason }) => ({ name, type, reason })),
      noops: c.noops.length,
    };
  }
}
