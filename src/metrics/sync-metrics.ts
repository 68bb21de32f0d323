import { Counter, Gauge, type Registry } from 'prom-client';
import type { ChangeOp } from '../sync/dns-provider.js';
import type { RefusalReason } from '../sync/provider-errors.js';
import type { SourceObserver } from '../sources/endpoint-source.js';
import type { RequestKind, RequestOutcome, RunResult, SyncObserver } from '../sync/sync-observer.js';

/** Metrics of the sources and the Cloudflare sync, registered on the registry passed in (no globals). */
export class SyncMetrics implements SyncObserver, SourceObserver {
  /** Failures of an endpoint source (list or watch), by source and region. */
  readonly sourceErrors: Counter<'source' | 'region'>;
  /** Endpoints each source currently reports, by source and region. */
  readonly sourceEndpoints: Gauge<'source' | 'region'>;
  private readonly plannedTotal: Counter<'op'>;
  private readonly appliedTotal: Counter<'op'>;
  private readonly failedTotal: Counter<'op'>;
  private readonly conflictSets: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly runs: Counter<'result'>;
  private readonly requests: Counter<'kind' | 'outcome'>;
  private readonly waits: Counter;
  private readonly waitSeconds: Counter;
  private readonly refusals: Counter<'reason'>;
  private readonly nextAttemptAt: Gauge;
  private readonly writer: Gauge;

  sourceFailed(source: string, region: string): void {
    this.sourceErrors.inc({ source, region });
  }

  sourceReported(source: string, region: string, count: number): void {
    this.sourceEndpoints.set({ source, region }, count);
  }

  constructor(registry: Registry) {
    const registers = [registry];
    this.plannedTotal = new Counter({ name: 'geosteer_sync_records_planned_total', help: 'Record changes planned, by operation', labelNames: ['op'], registers });
    this.appliedTotal = new Counter({ name: 'geosteer_sync_records_applied_total', help: 'Record changes applied at the provider, by operation', labelNames: ['op'], registers });
    this.failedTotal = new Counter({ name: 'geosteer_sync_records_failed_total', help: 'Record changes the provider refused or that ran out of retries, by operation', labelNames: ['op'], registers });
    this.conflictSets = new Gauge({ name: 'geosteer_sync_conflicts', help: 'Desired record sets geosteer may not (fully) manage in the last plan', registers });
    this.lastSuccess = new Gauge({ name: 'geosteer_sync_last_success_timestamp_seconds', help: 'Unix time of the last sync that applied its whole plan', registers });
    this.runs = new Counter({ name: 'geosteer_sync_runs_total', help: 'Sync runs by result (ok, conflict, partial, refused, failed, dry_run)', labelNames: ['result'], registers });
    this.requests = new Counter({ name: 'geosteer_sync_requests_total', help: 'Provider API requests (every attempt), by kind and outcome', labelNames: ['kind', 'outcome'], registers });
    this.waits = new Counter({ name: 'geosteer_sync_ratelimit_waits_total', help: 'Pauses for the request budget or a Retry-After', registers });
    this.waitSeconds = new Counter({ name: 'geosteer_sync_ratelimit_wait_seconds_total', help: 'Time spent pausing for the request budget or a Retry-After', registers });
    this.refusals = new Counter({ name: 'geosteer_sync_refusals_total', help: 'Runs stopped by a zone-wide refusal, by reason (auth, permission, quota, zone)', labelNames: ['reason'], registers });
    this.nextAttemptAt = new Gauge({ name: 'geosteer_sync_next_attempt_timestamp_seconds', help: 'Unix time the next sync run is due (0: none scheduled)', registers });
    this.writer = new Gauge({ name: 'geosteer_sync_writer', help: 'Whether this instance holds the writer lease of its owner id (1) or stands by (0)', registers });
    this.sourceErrors = new Counter({ name: 'geosteer_source_errors_total', help: 'Endpoint source failures (list or watch), by source and region', labelNames: ['source', 'region'], registers });
    this.sourceEndpoints = new Gauge({ name: 'geosteer_source_endpoints', help: 'Endpoints a source currently reports, by source and region', labelNames: ['source', 'region'], registers });
  }

  runFinished(result: RunResult, at: number): void {
    this.runs.inc({ result });
    if (result === 'ok') this.lastSuccess.set(at / 1000);
  }

  planned(op: ChangeOp, count: number): void {
    this.plannedTotal.inc({ op }, count);
  }

  applied(op: ChangeOp, count: number): void {
    this.appliedTotal.inc({ op }, count);
  }

  failed(op: ChangeOp, count: number): void {
    this.failedTotal.inc({ op }, count);
  }

  conflicts(count: number): void {
    this.conflictSets.set(count);
  }

  request(kind: RequestKind, outcome: RequestOutcome): void {
    this.requests.inc({ kind, outcome });
  }

  rateLimitWait(ms: number): void {
    this.waits.inc();
    this.waitSeconds.inc(ms / 1000);
  }

  refused(reason: RefusalReason): void {
    this.refusals.inc({ reason });
  }

  nextAttempt(at: number | undefined): void {
    this.nextAttemptAt.set(at === undefined ? 0 : at / 1000);
  }

  leaseHeld(held: boolean): void {
    this.writer.set(held ? 1 : 0);
  }
}
