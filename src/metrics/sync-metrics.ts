import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the sources and the Cloudflare sync, registered on the registry passed in (no globals). */
export class SyncMetrics {
  /** Changes in each plan, by operation (create, update, delete). */
  readonly planned: Counter<'op'>;
  readonly applied: Counter<'op'>;
  readonly failed: Counter<'op'>;
  /** Desired record sets held by someone else in the last plan. */
  readonly conflicts: Gauge;
  /** Unix time of the last sync that applied everything it planned. */
  readonly lastSuccess: Gauge;
  /** Sync runs by result: ok, partial, failed, dry_run. */
  readonly runs: Counter<'result'>;
  /** Failures of an endpoint source (list or watch), by source and region. */
  readonly sourceErrors: Counter<'source' | 'region'>;
  /** Endpoints each source currently reports, by source and region. */
  readonly sourceEndpoints: Gauge<'source' | 'region'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.planned = new Counter({ name: 'geosteer_sync_records_planned_total', help: 'Record changes planned, by operation', labelNames: ['op'], registers });
    this.applied = new Counter({ name: 'geosteer_sync_records_applied_total', help: 'Record changes applied at the provider, by operation', labelNames: ['op'], registers });
    this.failed = new Counter({ name: 'geosteer_sync_records_failed_total', help: 'Record changes the provider refused or that ran out of retries, by operation', labelNames: ['op'], registers });
    this.conflicts = new Gauge({ name: 'geosteer_sync_conflicts', help: 'Desired record sets owned by someone else in the last plan', registers });
    this.lastSuccess = new Gauge({ name: 'geosteer_sync_last_success_timestamp_seconds', help: 'Unix time of the last sync that applied its whole plan', registers });
    this.runs = new Counter({ name: 'geosteer_sync_runs_total', help: 'Sync runs by result (ok, partial, failed, dry_run)', labelNames: ['result'], registers });
    this.sourceErrors = new Counter({ name: 'geosteer_source_errors_total', help: 'Endpoint source failures (list or watch), by source and region', labelNames: ['source', 'region'], registers });
    this.sourceEndpoints = new Gauge({ name: 'geosteer_source_endpoints', help: 'Endpoints a source currently reports, by source and region', labelNames: ['source', 'region'], registers });
  }
}
