import type { CloudflareSyncConfig } from '../config/schema.js';
import type { EventLog } from '../events/event-log.js';
import type { Logger } from '../shared/logger.js';
import { backoffDelay } from './backoff.js';
import { desiredRecords } from './desired-records.js';
import type { DnsProvider } from './dns-provider.js';
import { describeRecord, type DnsRecord } from './dns-record.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { RequestBudget } from './request-budget.js';
import { OutcomeRecorder } from './run-record.js';
import type { RunTracker } from './run-tracker.js';
import type { SyncInput, SyncSource } from './sync-input.js';
import type { SyncObserver } from './sync-observer.js';
import { budgetView, type RunProgress, type RunReport, type SyncReport } from './sync-report.js';
import { syncOnce, type RunHooks, type RunOutcome, type RunPhase, type RunSettings } from './sync-run.js';
import { SyncScheduler, type PassVerdict } from './sync-scheduler.js';
import type { SyncTimers } from './sync-timers.js';
import type { WriterLease } from './writer-lease.js';

/** The running Cloudflare sync, as the service and GET /v1/sync see it. */
export interface CloudflareSync {
  /** What GET /v1/sync returns. */
  report(): Promise<SyncReport>;
  /** Runs a pass now (or joins the running one and its follow-up); resolves with the last report. */
  syncNow(reason?: string): Promise<RunReport | undefined>;
  /** Stops; once resolved, no provider call is made any more. */
  stop(): Promise<void>;
}

/** Timing of passes. */
export interface ScheduleSettings {
  readonly intervalMs: number;
  readonly debounceMs: number;
  /** First retry after a failed or refused pass; doubles up to maxBackoffMs. */
  readonly retryDelayMs: number;
  readonly maxBackoffMs: number;
  readonly leaseTtlMs: number;
}

/** What a Reconciler is built from. */
export interface ReconcilerOptions {
  readonly provider: DnsProvider;
  readonly source: SyncSource;
  readonly settings: RunSettings;
  readonly config: Pick<CloudflareSyncConfig, 'zone_id' | 'owner_id' | 'policy' | 'dry_run'>;
  readonly schedule: ScheduleSettings;
  readonly budget: RequestBudget;
  readonly lease: WriterLease;
  /** This instance's name in the writer lease. */
  readonly holderId: string;
  readonly tracker: RunTracker;
  readonly log: Logger;
  readonly events?: EventLog;
  readonly observer: SyncObserver;
  readonly timers: SyncTimers;
  readonly random: () => number;
}

function fingerprint(records: readonly DnsRecord[]): string {
  return records.map(describeRecord).sort().join('\n');
}

/**
 * Keeps the provider in line with the source: the scheduler decides when, syncOnce does one
 * pass, the recorder shows it. Only the holder of the owner's writer lease writes.
 */
export class Reconciler implements CloudflareSync {
  private readonly scheduler: SyncScheduler;
  private readonly keeper: LeaseKeeper;
  private readonly recorder: OutcomeRecorder;
  private last: RunReport | undefined;
  private running: Omit<RunProgress, 'requests' | 'waitingUntil'> | undefined;
  private failures = 0;
  private backoffReason: string | undefined;
  private converged: string | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly opts: ReconcilerOptions) {
    const { timers, log, schedule } = opts;
    this.scheduler = new SyncScheduler({
      timers,
      intervalMs: schedule.intervalMs,
      debounceMs: schedule.debounceMs,
      pass: (reason, signal) => this.pass(reason, signal),
      onNextAttempt: (at) => opts.observer.nextAttempt(at),
    });
    this.keeper = new LeaseKeeper(opts.lease, opts.holderId, schedule.leaseTtlMs, timers, log, (s) => opts.observer.leaseHeld(s.held));
    this.recorder = new OutcomeRecorder({ log, events: opts.events, observer: opts.observer, now: () => timers.now() });
  }

  /** Subscribes to the source and runs the first pass. */
  start(): void {
    this.unsubscribe = this.opts.source.subscribe((input) => this.onInput(input));
    this.scheduler.start();
  }

  private onInput(input: SyncInput): void {
    const { settings } = this.opts;
    if (fingerprint(desiredRecords(input.model, input.status, settings.names, settings.delegated)) !== this.converged) this.scheduler.changed('snapshot change');
  }

  async syncNow(reason = 'manual'): Promise<RunReport | undefined> {
    await this.scheduler.runNow(reason);
    return this.last;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.scheduler.stop();
    await this.keeper.stop();
  }

  async report(): Promise<SyncReport> {
    const { config, budget, tracker, timers } = this.opts;
    const state = await budget.state().catch(() => undefined);
    const lease = this.keeper.current();
    const next = this.scheduler.nextAttemptAt();
    const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
    return {
      zoneId: config.zone_id,
      ownerId: config.owner_id,
      policy: config.policy,
      dryRun: config.dry_run,
      writer: config.dry_run ? { role: 'dry_run', holder: undefined } : lease ? { role: lease.held ? 'writer' : 'standby', holder: lease.holder } : { role: 'unknown', holder: undefined },
      running: this.running ? { ...this.running, requests: tracker.requests, waitingUntil: tracker.waitingUntil !== undefined && tracker.waitingUntil > timers.now() ? iso(tracker.waitingUntil) : undefined } : null,
      last: this.last ?? null,
      nextAttemptAt: iso(next) ?? null,
      backoff: this.failures > 0 ? { failures: this.failures, reason: this.backoffReason ?? 'failed' } : null,
      budget: state ? budgetView(state) : null,
    };
  }

  private async pass(reason: string, signal: AbortSignal): Promise<PassVerdict> {
    const { provider, source, settings, tracker, timers, log, schedule } = this.opts;
    const input = source.current();
    if (!settings.dryRun) {
      try {
        const lease = await this.keeper.ensure();
        if (!lease.held) return { retryInMs: Math.max(1000, (lease.expiresAt ?? timers.now()) - timers.now() + 1) };
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'cloudflare sync: the writer lease store is unreachable; not writing until it answers');
        return { retryInMs: schedule.retryDelayMs };
      }
    }
    const startedAt = timers.now();
    tracker.begin();
    this.running = { reason, startedAt: new Date(startedAt).toISOString(), phase: 'listing', done: 0, total: 0 };
    const hooks: RunHooks = {
      phase: (phase: RunPhase) => (this.running = { ...this.running!, phase, done: 0, total: 0 }),
      progress: (done, total) => (this.running = { ...this.running!, done, total }),
      ensureWriter: async () => {
        if (settings.dryRun) return;
        const lease = await this.keeper.ensure();
        if (!lease.held) throw new Error(`the writer lease of owner ${settings.policy.ownerId} went to ${lease.holder}; this instance stopped writing`);
      },
    };
    let outcome: RunOutcome;
    try {
      outcome = await syncOnce(provider, input, settings, hooks, log, signal);
    } finally {
      this.running = undefined;
    }
    if (signal.aborted) return {};
    this.last = this.recorder.record(outcome, { reason, startedAt, generation: input.generation, requests: tracker.requests, dryRun: settings.dryRun });
    return this.verdict(outcome);
  }

  private verdict(o: RunOutcome): PassVerdict {
    const { schedule, timers, random } = this.opts;
    if (o.result === 'ok' || o.result === 'conflict' || o.result === 'dry_run') {
      this.failures = 0;
      this.backoffReason = undefined;
      this.converged = o.followUp ? undefined : fingerprint(o.desired);
      // a claim still to be written (it appeared after the re-read): one more pass, a debounce later
      return o.followUp ? { retryInMs: schedule.debounceMs } : {};
    }
    this.converged = undefined;
    this.failures++;
    if (o.retryAt !== undefined) {
      this.backoffReason = 'rate limited';
      return { retryInMs: Math.max(0, o.retryAt - timers.now()), hold: true };
    }
    this.backoffReason = o.result === 'refused' ? `refused (${o.refusal?.reason})` : o.result;
    const retryInMs = backoffDelay(this.failures, { firstMs: schedule.retryDelayMs, maxMs: schedule.maxBackoffMs }, random);
    return { retryInMs, hold: o.result !== 'partial' };
  }
}
