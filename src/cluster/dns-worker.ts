import type { LoadedConfig } from '../config/load.js';
import { ControlPlane } from '../control/control-plane.js';
import type { InputPatch } from '../control/inputs.js';
import { DnsServer } from '../dns/dns-server.js';
import { listenAddressesOf, tcpLimitsOf } from '../dns/listen-settings.js';
import { QueryHandler } from '../dns/query-handler.js';
import { geoDatabaseFromBuffer } from '../geo/mmdb-geo-database.js';
import { createMetrics, WORKER_METRIC_FAMILIES, type GeosteerMetrics, type WorkerMetrics } from '../metrics/create-metrics.js';
import type { Logger } from '../shared/logger.js';
import { MemoryEventLog } from '../events/event-log.js';
import { healthFromWire, type WorkerUpdate } from './worker-update.js';

/**
 * A DNS-only process: builds its control plane from the primary's first update, listens on
 * the shared sockets, and applies every later update as one patch (one compile). It runs no
 * checks, no admin, no sync, and records no events: transitions are the primary's to record.
 */
export class DnsWorker {
  private lastSeq: number;
  private config: LoadedConfig;

  private constructor(
    readonly control: ControlPlane,
    private readonly server: DnsServer,
    private readonly metrics: GeosteerMetrics,
    first: WorkerUpdate,
  ) {
    this.lastSeq = first.seq;
    this.config = first.config!;
  }

  /** Builds the worker from the primary's first update. */
  static start(first: WorkerUpdate, log: Logger): DnsWorker {
    if (!first.config || !first.geoip.bytes) throw new Error('worker: the first update from the primary must carry the config and the GeoIP database');
    const metrics = createMetrics({ defaultMetrics: false });
    const control = new ControlPlane(
      {
        config: first.config,
        overrides: first.overrides,
        health: healthFromWire(first.health),
        endpoints: first.endpoints,
        geo: { db: geoDatabaseFromBuffer(Buffer.from(first.geoip.bytes), first.geoip.path), generation: first.geoip.generation },
      },
      { log },
    );
    metrics.attach({ current: () => control.current(), get compiles() { return control.compiles; }, geoStats: control.geoStats, events: new MemoryEventLog(1) });
    const handler = new QueryHandler(control.current().serving, metrics.queries);
    control.subscribe((c) => handler.setServing(c.snapshot.serving));
    // each worker binds its own SO_REUSEPORT UDP socket (the native path cannot share one through the primary)
    const server = new DnsServer(metrics.timed(handler), log, tcpLimitsOf(first.config), { shared: true, udpReusePort: true }, process.env);
    return new DnsWorker(control, server, metrics, first);
  }

  /** Listens on dns.listen, sharing the sockets with the other workers. */
  async listen(): Promise<void> {
    await this.server.listen(listenAddressesOf(this.config));
  }

  /** Applies an update as one patch; returns the GeoIP generation in force afterwards. */
  async apply(update: WorkerUpdate): Promise<number> {
    if (update.seq <= this.lastSeq) return this.control.current().inputs.geo.generation;
    this.lastSeq = update.seq;
    const patch: InputPatch = { overrides: update.overrides, health: healthFromWire(update.health), endpoints: update.endpoints };
    if (update.config) {
      this.config = update.config;
      this.server.setTcpLimits(tcpLimitsOf(update.config));
      Object.assign(patch, { config: update.config });
    }
    if (update.geoip.bytes) {
      // the primary validated these exact bytes; a failure here is a bug, and the worker keeps its database
      Object.assign(patch, { geo: { db: geoDatabaseFromBuffer(Buffer.from(update.geoip.bytes), update.geoip.path), generation: update.geoip.generation } });
    }
    const snapshot = await this.control.update(patch, 'update from the primary');
    return snapshot.inputs.geo.generation;
  }

  /** This worker's query metrics, for the primary's /metrics. */
  async queryMetrics(): Promise<WorkerMetrics> {
    const all = (await this.metrics.registry.getMetricsAsJSON()) as WorkerMetrics;
    return all.filter((m) => WORKER_METRIC_FAMILIES.has(m.name));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
