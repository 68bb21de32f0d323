import { App } from '../app.js';
import { parseConfigText } from '../config/load.js';
import type { BoundAddress } from '../dns/dns-server.js';
import { openGeoDatabase } from '../geo/mmdb-geo-database.js';
import { createMetrics, WORKER_METRIC_FAMILIES, type GeosteerMetrics, type WorkerMetrics } from '../metrics/create-metrics.js';
import type { Logger } from '../shared/logger.js';
import { MirroredStateStore } from './mirrored-state-store.js';
import { healthFromWire, type WorkerUpdate } from './worker-update.js';

/**
 * A DNS-only process: builds its App from the first update, listens on the shared sockets,
 * and recompiles its snapshot from every later update. Runs no checks, no admin, no sync.
 */
export class DnsWorker {
  private lastSeq = 0;
  private configText = '';
  private geoGeneration = 0;
  private endpointsText = '[]';

  private constructor(
    readonly app: App,
    private readonly state: MirroredStateStore,
    private readonly log: Logger,
    private readonly metrics: GeosteerMetrics,
  ) {}

  /** Builds the worker from the primary's first update (throws ConfigError on a bad config). */
  static async start(first: WorkerUpdate, log: Logger): Promise<DnsWorker> {
    const state = new MirroredStateStore();
    state.replace(first.state);
    const metrics = createMetrics({ defaultMetrics: false });
    const app = new App(parseConfigText(first.configText, first.configSource), {
      log,
      geo: await openGeoDatabase(first.geoip.path),
      state,
      health: healthFromWire(first.health),
      observer: metrics.queries,
    });
    metrics.attach(app);
    const worker = new DnsWorker(app, state, log, metrics);
    worker.lastSeq = first.seq;
    worker.configText = first.configText;
    worker.geoGeneration = first.geoip.generation;
    worker.applyEndpoints(first.endpoints);
    return worker;
  }

  /** Listens on the configured addresses, sharing the sockets with the other workers. */
  listen(override?: readonly { host: string; port: number }[]): Promise<BoundAddress[]> {
    return this.app.listen(override, { shared: true });
  }

  /** Applies an update: config (when its text changed), state, health, GeoIP database. */
  async apply(update: WorkerUpdate): Promise<void> {
    if (update.seq <= this.lastSeq) return;
    this.lastSeq = update.seq;
    if (update.configText !== this.configText) {
      try {
        this.app.applyConfig(parseConfigText(update.configText, update.configSource));
        this.configText = update.configText;
      } catch (err) {
        // the primary validated it already; keep serving the previous config
        this.log.error({ err }, 'worker: config from the primary refused; serving the previous one');
      }
    }
    this.state.replace(update.state);
    this.app.setHealth(healthFromWire(update.health));
    this.applyEndpoints(update.endpoints);
    if (update.geoip.generation !== this.geoGeneration) {
      this.geoGeneration = update.geoip.generation;
      try {
        this.app.setGeoDatabase(await openGeoDatabase(update.geoip.path));
      } catch (err) {
        this.log.error({ err }, 'worker: GeoIP database reload failed; keeping the previous one');
      }
    }
  }

  /** Source-reported endpoints, applied only when they changed (each apply rebuilds). */
  private applyEndpoints(endpoints: WorkerUpdate['endpoints']): void {
    const text = JSON.stringify(endpoints);
    if (text === this.endpointsText) return;
    this.endpointsText = text;
    this.app.replaceSourcedEndpoints(new Map(endpoints));
  }

  /** This worker's query metrics, for the primary's /metrics. */
  async queryMetrics(): Promise<WorkerMetrics> {
    const all = (await this.metrics.registry.getMetricsAsJSON()) as WorkerMetrics;
    return all.filter((m) => WORKER_METRIC_FAMILIES.has(m.name));
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
