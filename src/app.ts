import type { LoadedConfig } from './config/load.js';
import { parseListenAddress } from './config/schema.js';
import { DnsServer, type BoundAddress } from './dns/dns-server.js';
import { QueryHandler, type QueryObserver } from './dns/query-handler.js';
import { ResponseRateLimiter } from './dns/rate-limiter.js';
import { compileSnapshot, type Snapshot } from './dns/snapshot.js';
import { ClientLocator } from './geo/client-locator.js';
import type { GeoDatabaseInfo, GeoLookup } from './geo/geo-lookup.js';
import { parseClientPrefix } from './shared/client-prefix.js';
import { EventLog } from './events/event-log.js';
import type { Logger } from './shared/logger.js';
import { GeosteerError } from './shared/errors.js';
import type { StateStore } from './state/state-store.js';
import { isQuorumHealthView, type TargetQuorumView } from './state/health-quorum.js';
import { MemoryStateStore } from './state/memory-state-store.js';
import { explainDecision, type ExplainTrace } from './steering/explain.js';
import { ALL_UP, regionStatusView, type HealthView } from './steering/region-status.js';
import { steeringTransitions } from './steering/steering-transitions.js';
import type { Endpoint, Random } from './steering/types.js';
import type { ServiceModel } from './config/model.js';
import type { RegionEndpoints } from './sources/endpoint-source.js';

/** What the app is built from besides its config: the edges, passed in so tests can hold them. */
export interface AppDeps {
  readonly log: Logger;
  readonly geo: GeoLookup;
  readonly state?: StateStore;
  readonly health?: HealthView;
  readonly observer?: QueryObserver;
  readonly events?: EventLog;
  readonly rand?: Random;
  /** Milliseconds since the epoch; for rate limiting. */
  readonly clock?: () => number;
}

/**
 * geosteer wired from a config: snapshot, query handler, DNS listeners. Building never
 * listens; `listen()` does, so tests choose their ports (port 0).
 */
export class App {
  readonly handler: QueryHandler;
  readonly locator: ClientLocator;
  readonly state: StateStore;
  /** Transitions and audit entries; each is also logged as structured JSON. */
  readonly events: EventLog;
  private loaded: LoadedConfig;
  private health: HealthView;
  private dns: DnsServer | undefined;
  private readonly unsubscribe: () => void;
  private readonly log: Logger;
  private readonly rand: Random;
  /** Region endpoints reported by sources (Kubernetes), replacing the config's. */
  private readonly regionEndpoints = new Map<string, RegionEndpoints>();
  private readonly rebuildListeners = new Set<(snapshot: Snapshot) => void>();
  private geoInfo: GeoDatabaseInfo;
  private readonly clock: () => number;

  constructor(loaded: LoadedConfig, deps: AppDeps) {
    this.loaded = loaded;
    this.log = deps.log;
    this.rand = deps.rand ?? Math.random;
    this.clock = deps.clock ?? Date.now;
    this.health = deps.health ?? ALL_UP;
    this.state = deps.state ?? new MemoryStateStore();
    this.events = deps.events ?? new EventLog();
    this.events.onEvent((e) => this.log.info({ event: e }, `event ${e.type}`));
    this.locator = new ClientLocator(deps.geo);
    this.geoInfo = deps.geo.info;
    this.handler = new QueryHandler(this.compile(), this.locator, loaded.config.dns.max_udp_payload, deps.observer, this.rand);
    this.configureRateLimit();
    this.unsubscribe = this.state.onChange(() => this.rebuild('state change'));
  }

  get config(): LoadedConfig {
    return this.loaded;
  }

  /** The snapshot queries are answered from now. */
  snapshot(): Snapshot {
    return this.handler.currentSnapshot();
  }

  private compile(): Snapshot {
    const model = this.effectiveModel();
    return compileSnapshot(model, regionStatusView(model.regions, this.state.current(), this.health));
  }

  /** Builds a new snapshot from config + state + health and swaps it in. */
  rebuild(reason: string): Snapshot {
    const before = this.snapshot().status;
    const snapshot = this.compile();
    this.handler.setSnapshot(snapshot);
    this.log.debug({ generation: snapshot.generation, reason }, 'snapshot rebuilt');
    this.recordSteeringTransitions(before, snapshot, reason);
    for (const l of this.rebuildListeners) l(snapshot);
    return snapshot;
  }

  /** Failover, failback and fail-open events for every rule whose answering regions moved. */
  private recordSteeringTransitions(before: Snapshot['status'], after: Snapshot, reason: string): void {
    for (const t of steeringTransitions(after.model.policies, before, after.status)) {
      this.events.record({
        type: t.type,
        cause: `${t.from.join('+') || '(none)'} -> ${t.to.join('+') || '(none)'} for ${t.rule}; ${reason}`,
        name: t.name,
        detail: { rule: t.rule, from: t.from, to: t.to, generation: after.generation },
      });
    }
  }

  /** Calls `listener` with every new snapshot (the Cloudflare reconciler); returns the unsubscribe function. */
  onRebuild(listener: (snapshot: Snapshot) => void): () => void {
    this.rebuildListeners.add(listener);
    return () => this.rebuildListeners.delete(listener);
  }

  /** The config's model with the source-reported endpoints of each region swapped in. */
  private effectiveModel(): ServiceModel {
    const { model } = this.loaded;
    if (this.regionEndpoints.size === 0) return model;
    const regions = new Map(model.regions);
    for (const [name, e] of this.regionEndpoints) {
      const spec = regions.get(name);
      if (spec) regions.set(name, { ...spec, endpoints: e.endpoints, cname: e.cname });
    }
    return { ...model, regions };
  }

  /** Replaces a region's endpoints (or CNAME target) with what a source reported, and rebuilds. */
  setRegionEndpoints(region: string, endpoints: readonly Endpoint[], cname?: string): void {
    if (!this.loaded.model.regions.has(region)) throw new GeosteerError('NOT_FOUND', `unknown region ${JSON.stringify(region)}`);
    this.regionEndpoints.set(region, { endpoints, cname });
    this.rebuild(`endpoints of ${region} from source`);
  }

  /** Endpoints reported by sources, by region (DNS workers get a copy with every update). */
  sourcedEndpoints(): ReadonlyMap<string, RegionEndpoints> {
    return this.regionEndpoints;
  }

  /** Replaces every source-reported region at once (a DNS worker following its primary); one rebuild. */
  replaceSourcedEndpoints(all: ReadonlyMap<string, RegionEndpoints>): void {
    this.regionEndpoints.clear();
    for (const [region, e] of all) if (this.loaded.model.regions.has(region)) this.regionEndpoints.set(region, e);
    this.rebuild('source endpoints from the primary');
  }

  /** Goes back to the config's endpoints for a region. */
  clearRegionEndpoints(region: string): void {
    if (this.regionEndpoints.delete(region)) this.rebuild(`endpoints of ${region} back to config`);
  }

  /** dns.rrl: a fresh limiter when enabled (counts restart on reload), none when off. */
  private configureRateLimit(): void {
    const { rrl } = this.loaded.config.dns;
    this.handler.setRateLimiter(rrl.enabled ? new ResponseRateLimiter({ responsesPerSecond: rrl.responses_per_second, slip: rrl.slip }, this.clock) : undefined);
  }

  /** Replaces the health view (the health subsystem calls this on every transition). */
  setHealth(health: HealthView, reason = 'health change'): void {
    this.health = health;
    this.rebuild(reason);
  }

  /** Switches to a new, already validated config; listeners stay as they are. */
  applyConfig(loaded: LoadedConfig): void {
    this.loaded = loaded;
    this.configureRateLimit();
    this.rebuild('config reload');
  }

  /** Swaps the GeoIP database (after geoipupdate replaced the file). */
  setGeoDatabase(geo: GeoLookup): void {
    this.locator.setDatabase(geo);
    this.geoInfo = geo.info;
  }

  /** The GeoIP database answering now (metrics, admin API). */
  get geoip(): GeoDatabaseInfo {
    return this.geoInfo;
  }

  /**
   * Starts the DNS listeners from the config, or on `override` addresses (tests use port 0).
   * `shared`: cluster workers share the primary's sockets instead of binding exclusively.
   */
  async listen(override?: readonly { host: string; port: number }[], opts: { shared?: boolean } = {}): Promise<BoundAddress[]> {
    const { dns } = this.loaded.config;
    const addresses = override ?? dns.listen.map((a) => parseListenAddress(a)!);
    this.dns = new DnsServer(this.handler, this.log, {
      maxConnections: dns.tcp.max_connections,
      idleTimeoutMs: dns.tcp.idle_timeout,
      maxQueriesPerConnection: dns.tcp.max_queries_per_connection,
    }, opts);
    try {
      return await this.dns.listen(addresses);
    } catch (err) {
      await this.dns.close();
      throw err;
    }
  }

  /** The health view answers are built from (a QuorumHealthView when health is shared). */
  healthView(): HealthView {
    return this.health;
  }

  /** Queries whose handling threw since listen() (a bug if ever above 0; each was dropped). */
  handlerFailures(): number {
    return this.dns?.failures ?? 0;
  }

  /** Explains the answer `name` would get for `client` ("IP" or "IP/PREFIX"); with shared health, each instance's view of the regions tried. */
  explain(name: string, client: string): ExplainTrace & { readonly healthQuorum?: readonly TargetQuorumView[] } {
    const snapshot = this.snapshot();
    const wanted = name.toLowerCase().replace(/\.$/, '');
    const policy = snapshot.model.policies.find((p) => p.name === wanted);
    if (!policy) {
      throw new GeosteerError('NOT_FOUND', `${name} is not a steered name; steered names: ${snapshot.model.policies.map((p) => p.name).join(', ') || '(none)'}`);
    }
    const parsed = parseClientPrefix(client);
    if (typeof parsed === 'string') throw new GeosteerError('BAD_REQUEST', `client: ${parsed}`);
    const location = parsed.family === 4 ? this.locator.locateV4(parsed.v4, parsed.prefix) : this.locator.locateV6(parsed.v6, 0, parsed.prefix);
    const trace = explainDecision(
      policy,
      {
        query: `${parsed.text}/${parsed.prefix}`,
        country: location.country,
        continent: location.continent,
        networkPrefix: location.prefixLength,
        scope: Math.min(location.prefixLength, parsed.prefix),
      },
      snapshot.status,
      snapshot.model.regions,
      this.rand,
    );
    const health = this.health;
    if (!isQuorumHealthView(health)) return trace;
    const regions = [...new Set(trace.tiers.flatMap((t) => t.regions.map((r) => r.region)))];
    return { ...trace, healthQuorum: regions.flatMap((r) => health.regionViews(r)) };
  }

  /** Stops listening (TCP finishes in-flight queries) and detaches from the state store. */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.dns?.close();
  }
}
