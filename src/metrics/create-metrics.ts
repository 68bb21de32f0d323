import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { Snapshot } from '../control/snapshot.js';
import type { MessageHandler } from '../dns/query-handler.js';
import type { EventLog, GeosteerEvent } from '../events/event-log.js';
import type { LocatorStats } from '../geo/client-locator.js';
import type { HealthCheckObserver } from '../health/health-monitor.js';
import type { RegionStatus } from '../steering/types.js';
import { DnsQueryMetrics } from './dns-query-metrics.js';
import { DEFAULT_TIMING_SAMPLE, timedHandler } from './query-timing.js';

/** What the scrape-time metrics read from the running service: its control plane, event log and state store. */
export interface MetricsSource {
  current(): Snapshot;
  /** Snapshots compiled so far. */
  readonly compiles: number;
  readonly geoStats: LocatorStats;
  readonly events: EventLog;
  /** The state store's health (StoreHealth.status()), read at every scrape. */
  readonly store?: { status(): StoreStatusView };
}

/** The part of the state store's status the geosteer_state_store_* families show (src/state: StateStoreStatus). */
export interface StoreStatusView {
  readonly connected: boolean;
  readonly writable: boolean;
  /** ms since the epoch */
  readonly since: number;
  readonly reconnects: number;
  readonly lastSyncAt: number | undefined;
  readonly reset: unknown;
  readonly resetsDetected: number;
  readonly writesRefused: number;
}

/** How an Alertmanager webhook post ended: applied, or refused (401, 413, 400/415, 404 while the webhook is off). */
export type AlertPostResult = 'accepted' | 'unauthorized' | 'too_large' | 'invalid' | 'disabled';

/** Counts Alertmanager webhook posts (the route calls it; metrics implements it). */
export interface AlertPostObserver {
  posted(result: AlertPostResult): void;
}

const ALERT_POST_RESULTS: readonly AlertPostResult[] = ['accepted', 'unauthorized', 'too_large', 'invalid', 'disabled'];

/** What geosteer_build_info says about this process. */
export interface BuildInfo {
  readonly version: string;
  /** process.version */
  readonly node: string;
  /** The UDP path DNS uses ("dgram", or the native batched path when it is built). */
  readonly udp: string;
}

/** Every geosteer metric, in one registry per process (or per test). */
export interface GeosteerMetrics {
  readonly registry: Registry;
  /** Pass as AppDeps.observer. */
  readonly queries: DnsQueryMetrics;
  /** For the health monitor: feeds geosteer_health_check_duration_seconds. */
  readonly healthChecks: HealthCheckObserver;
  /** For the Alertmanager webhook (both mounts): feeds geosteer_alertmanager_posts_total. */
  readonly alertPosts: AlertPostObserver;
  /** Connects the scrape-time gauges and event counters to a service; returns a detach function. */
  attach(source: MetricsSource): () => void;
  /** `handler` with 1 in timingSample queries timed into geosteer_dns_query_duration_seconds. */
  timed(handler: MessageHandler): MessageHandler;
  /** Sets geosteer_build_info. */
  setBuildInfo(info: BuildInfo): void;
  /** The exposition text and its content type, for GET /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
  /** DNS workers' query metrics (their WORKER_METRIC_FAMILIES), summed into every render. */
  setRemote(fetch: () => Promise<WorkerMetrics[]>): void;
}

/** One worker's metrics as prom-client JSON. */
export type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** The per-query families a DNS worker counts; everything else is the primary's. */
export const WORKER_METRIC_FAMILIES: ReadonlySet<string> = new Set([
  'geosteer_dns_queries_total',
  'geosteer_dns_answers_total',
  'geosteer_dns_fail_open_answers_total',
  'geosteer_dns_query_duration_seconds',
  'geosteer_geo_lookups_total',
]);

/** Options for createMetrics. */
export interface MetricsOptions {
  /** Include prom-client's process_* and nodejs_* metrics (default true). */
  readonly defaultMetrics?: boolean;
  /** Time 1 in this many queries (default DEFAULT_TIMING_SAMPLE, 64). */
  readonly timingSample?: number;
}

/** Builds the registry and every metric; nothing is module-level, so tests get their own. */
export function createMetrics(opts: MetricsOptions = {}): GeosteerMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let source: MetricsSource | undefined;
  let remote: (() => Promise<WorkerMetrics[]>) | undefined;

  // Queries are counted in plain numbers on the hot path and copied in at scrape time.
  const queryCounts = new DnsQueryMetrics();
  new Counter({
    name: 'geosteer_dns_queries_total',
    help: 'DNS queries answered, by zone, query type, response code and transport.',
    labelNames: ['zone', 'qtype', 'rcode', 'transport'] as const,
    registers,
    collect() {
      queryCounts.publishQueries(this);
    },
  });
  new Counter({
    name: 'geosteer_dns_answers_total',
    help: 'Steered answers by name and the region that answered.',
    labelNames: ['name', 'region'] as const,
    registers,
    collect() {
      queryCounts.publishAnswers(this);
    },
  });
  new Counter({
    name: 'geosteer_dns_fail_open_answers_total',
    help: 'Steered answers given while no tier was usable (answered from the first tier anyway).',
    labelNames: ['name'] as const,
    registers,
    collect() {
      queryCounts.publishFailOpen(this);
    },
  });
  const duration = new Histogram({
    name: 'geosteer_dns_query_duration_seconds',
    help: 'Time to handle one DNS query from decode to response bytes (a 1-in-N sample; socket I/O excluded).',
    labelNames: ['transport'] as const,
    buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01],
    registers,
  });
  new Counter({
    name: 'geosteer_geo_lookups_total',
    help: 'Client geolocation lookups: hit = answered from the per-prefix cache, miss = read from the GeoIP database.',
    labelNames: ['result'] as const,
    registers,
    collect() {
      this.reset();
      if (!source) return;
      this.inc({ result: 'hit' }, source.geoStats.hits);
      this.inc({ result: 'miss' }, source.geoStats.misses);
    },
  });
  new Gauge({
    name: 'geosteer_geoip_database_build_timestamp_seconds',
    help: 'Build time of the GeoIP database in use (mmdb metadata), seconds since the epoch.',
    registers,
    collect() {
      if (source) this.set(source.current().inputs.geo.db.info.buildEpochSeconds);
    },
  });
  new Gauge({
    name: 'geosteer_geoip_database_generation',
    help: 'Generation of the GeoIP database in use: 1 at start, +1 for every accepted replacement.',
    registers,
    collect() {
      if (source) this.set(source.current().inputs.geo.generation);
    },
  });
  new Counter({
    name: 'geosteer_snapshot_compiles_total',
    help: 'Snapshots compiled from config, state, health, source endpoints and GeoIP (updates that change nothing compile nothing).',
    registers,
    collect() {
      this.reset();
      if (source) this.inc(source.compiles);
    },
  });
  new Gauge({
    name: 'geosteer_snapshot_generation',
    help: 'Generation of the snapshot DNS answers from.',
    registers,
    collect() {
      if (source) this.set(source.current().generation);
    },
  });
  const buildInfo = new Gauge({
    name: 'geosteer_build_info',
    help: 'Always 1; the labels say which geosteer, which Node.js and which UDP path this process runs.',
    labelNames: ['version', 'node', 'udp'] as const,
    registers,
  });
  // One gauge per region field, recomputed from the snapshot's status on every scrape.
  const regionGauge = (name: string, help: string, value: (s: RegionStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['region'] as const,
      registers,
      collect() {
        this.reset();
        for (const [region, s] of source?.current().status ?? []) this.set({ region }, value(s));
      },
    });
  regionGauge('geosteer_region_up', 'Region health as steering sees it: 1 up, 0 down.', (s) => (s.up ? 1 : 0));
  regionGauge('geosteer_region_weight', 'Effective region weight 0..100 (config or runtime override).', (s) => s.weight);
  regionGauge('geosteer_region_drained', '1 when the region is drained (config or admin API), else 0.', (s) => (s.drained ? 1 : 0));
  new Gauge({
    name: 'geosteer_endpoint_up',
    help: 'Endpoint health: 1 up, 0 down.',
    labelNames: ['region', 'endpoint'] as const,
    registers,
    collect() {
      this.reset();
      if (!source) return;
      const snapshot = source.current();
      for (const [region, spec] of snapshot.model.regions) {
        const healthy = snapshot.status.get(region)?.healthyEndpoints;
        for (const e of spec.endpoints) this.set({ region, endpoint: e.id }, healthy?.has(e.id) ? 1 : 0);
      }
    },
  });
  const failovers = new Counter({ name: 'geosteer_failover_events_total', help: 'Failover events (a rule of a name moved to a later tier), by name and the regions it moved from and to.', labelNames: ['name', 'from', 'to'] as const, registers });
  const healthDuration = new Histogram({
    name: 'geosteer_health_check_duration_seconds',
    help: 'Duration of one endpoint health check, by region and result.',
    labelNames: ['region', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const reloads = new Counter({ name: 'geosteer_config_reloads_total', help: 'Config reloads (SIGHUP, POST /v1/reload or a changed config file) by result: success or failure.', labelNames: ['result'] as const, registers });
  // Both result children exist from the start, so rate() works before the first failure.
  reloads.inc({ result: 'success' }, 0);
  reloads.inc({ result: 'failure' }, 0);

  const alertPosts = new Counter({ name: 'geosteer_alertmanager_posts_total', help: 'Alertmanager webhook posts by result: accepted, unauthorized (401), too_large (413), invalid (400/415), disabled (404).', labelNames: ['result'] as const, registers });
  for (const result of ALERT_POST_RESULTS) alertPosts.inc({ result }, 0);
  storeFamilies(registers, () => source?.store?.status());

  const onEvent = (e: GeosteerEvent) => {
    if (e.type === 'config_reloaded') reloads.inc({ result: 'success' });
    else if (e.type === 'config_rejected') reloads.inc({ result: 'failure' });
    else if (e.type === 'failover') failovers.inc({ name: e.name ?? '', from: labelOf(e.detail?.from), to: labelOf(e.detail?.to) });
  };

  return {
    registry,
    queries: queryCounts,
    healthChecks: {
      checked(region, _endpoint, seconds, ok) {
        healthDuration.observe({ region, result: ok ? 'success' : 'failure' }, seconds);
      },
    },
    attach(s) {
      source = s;
      const offEvents = s.events.onEvent(onEvent);
      return () => {
        offEvents();
        if (source === s) source = undefined;
      };
    },
    alertPosts: { posted: (result) => alertPosts.inc({ result }) },
    timed: (handler) => timedHandler(handler, duration, opts.timingSample ?? DEFAULT_TIMING_SAMPLE),
    setBuildInfo(info) {
      buildInfo.reset();
      buildInfo.set({ version: info.version, node: info.node, udp: info.udp }, 1);
    },
    async render() {
      if (!remote) return { contentType: registry.contentType, body: await registry.metrics() };
      // The primary's families plus each worker's query counters, summed label set by label set.
      const merged = AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), ...(await remote())] as never);
      return { contentType: registry.contentType, body: await merged.metrics() };
    },
    setRemote(fetch) {
      remote = fetch;
    },
  };
}

/** The geosteer_state_store_* families, read from the store's status at scrape time (empty before attach or without a store). */
function storeFamilies(registers: Registry[], status: () => StoreStatusView | undefined): void {
  const gauge = (name: string, help: string, value: (s: StoreStatusView) => number | undefined) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.reset();
        const s = status();
        const v = s === undefined ? undefined : value(s);
        if (v !== undefined) this.set(v);
      },
    });
  // Counters the store keeps itself; copied in at scrape time like the query counters.
  const counter = (name: string, help: string, value: (s: StoreStatusView) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        const s = status();
        if (s !== undefined) this.inc(value(s));
      },
    });
  gauge('geosteer_state_store_up', 'State store connected and read in full: 1, else 0 (memory: always 1).', (s) => (s.connected ? 1 : 0));
  gauge('geosteer_state_store_writable', 'Weight and drain writes are accepted: 1 (connected, no reset pending), else 0.', (s) => (s.writable ? 1 : 0));
  gauge('geosteer_state_store_reset_pending', 'A detected data loss of the state store waits for POST /v1/state/reset: 1, else 0.', (s) => (s.reset !== undefined ? 1 : 0));
  gauge('geosteer_state_store_last_sync_timestamp_seconds', 'When the state was last read in full from the store, seconds since the epoch (absent before the first read).', (s) => (s.lastSyncAt === undefined ? undefined : s.lastSyncAt / 1000));
  gauge('geosteer_state_store_connected_since_timestamp_seconds', 'When geosteer_state_store_up last changed, seconds since the epoch.', (s) => s.since / 1000);
  counter('geosteer_state_store_reconnects_total', 'State store connections re-established after a loss (the first connect does not count).', (s) => s.reconnects);
  counter('geosteer_state_store_resets_detected_total', 'State store data losses detected (epoch marker gone or replaced, version counter behind).', (s) => s.resetsDetected);
  counter('geosteer_state_store_writes_refused_total', 'Weight and drain writes the state store refused (not connected, reset pending, conflict, cut off).', (s) => s.writesRefused);
}

/** A label value from event detail: arrays of regions joined with ",". */
function labelOf(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return value === undefined || value === null ? '' : String(value);
}
