import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { hostname as machineHostname } from 'node:os';
import { resolveTokens, type AdminToken } from '../admin/auth.js';
import { readTlsMaterial } from '../admin/admin-tls.js';
import { buildAdmin } from '../admin/build-admin.js';
import { stateReadiness, type OpenEndpoint } from '../admin/admin-context.js';
import type { ClientCertificateRule } from '../admin/client-certificates.js';
import { buildOpenAdmin } from '../admin/open-server.js';
import { dnsWorkerPool, type DnsWorkerPool } from '../cluster/dns-workers.js';
import { resolveDnsIdentity, type DnsIdentity } from '../config/dns-identity.js';
import { loadConfigFile, type LoadedConfig } from '../config/load.js';
import { ALERTMANAGER_MAX_BODY, type AdminTlsConfig } from '../config/schema.js';
import { ControlPlane } from '../control/control-plane.js';
import { explainQuery, type Explanation } from '../control/explain.js';
import { udpBackend, type BoundAddress, type UdpBackend } from '../dns/dns-server.js';
import { QueryHandler, type MessageHandler } from '../dns/query-handler.js';
import type { EventLog } from '../events/event-log.js';
import type { MmdbGeoDatabase } from '../geo/mmdb-geo-database.js';
import { HealthService } from '../health/health-service.js';
import type { Prober } from '../health/prober.js';
import { createMetrics, type GeosteerMetrics } from '../metrics/create-metrics.js';
import { SyncMetrics } from '../metrics/sync-metrics.js';
import { ConfigError, GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Timers } from '../shared/timers.js';
import type { WatchDelays } from '../sources/resource-watcher.js';
import { createEventLog, createStateStore, instanceIdOf } from '../state/create-state-store.js';
import { EMPTY_STATE, type StateStore, type StoreHealth } from '../state/state-store.js';
import type { ExplainType } from '../steering/explain.js';
import { ALL_UP } from '../steering/region-status.js';
import type { Random } from '../steering/types.js';
import type { DnsProvider } from '../sync/dns-provider.js';
import type { SyncTimers } from '../sync/sync-timers.js';
import { adminServer, alertListener, openAdminServer } from './admin-server.js';
import { listenAddressesOf } from '../dns/listen-settings.js';
import { dnsListeners, type DnsListeners } from './dns-listeners.js';
import { configFilesInput } from './config-files-watch.js';
import { geoDatabaseInput } from './geo-watch.js';
import { preflight } from './preflight.js';
import { settingsNeedingRestart, type NeedsRestart } from './restart-only.js';
import { sourcesInput } from './sources-input.js';
import { stateInput } from './state-input.js';
import { reloadAll, startAll, stopAll, type Subsystem } from './subsystem.js';
import { syncOutput, type SyncOutput } from './sync-output.js';
import { GEOSTEER_VERSION } from './version.js';

/** The edges a service is built with; tests replace what they cannot run and pick port 0. */
export interface ServiceDeps {
  readonly log: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** Reloads refuse a config file larger than this (serve --max-config-size); default DEFAULT_MAX_CONFIG_BYTES. */
  readonly maxConfigBytes?: number;
  /** Milliseconds since the epoch (rate limiting, drain timestamps). */
  readonly clock?: () => number;
  /** The DNS hot path's randomness (weighted picks, rotations). */
  readonly rand?: Random;
  /** The generated DNS cookie secret's 16 octets (default: crypto.randomBytes). */
  readonly cookieSecret?: () => Uint8Array;
  /** The name dns.nsid: hostname stands for (default: os.hostname). */
  readonly hostname?: () => string;
  /** Explain's randomness; default `rand`. */
  readonly explainRand?: Random;
  /** DNS listens here instead of dns.listen (tests: port 0). */
  readonly dnsListen?: readonly { host: string; port: number }[];
  /** The admin server listens here instead of admin.listen; "inject" builds it but never listens. */
  readonly adminListen?: string;
  /** The standalone Alertmanager listener listens here instead of health.alertmanager.listen. */
  readonly alertListen?: string;
  /** The open listener (healthz, readyz, metrics) listens here instead of admin.open_listen. */
  readonly adminOpenListen?: string;
  /** How often admin.tls files are checked for changes (default 5000 ms). */
  readonly adminTlsPollMs?: number;
  /** DNS worker processes instead of dns.workers (tests pin 1). */
  readonly workers?: number;
  /** The worker entry module (tests run the compiled one under dist/) and whether workers' output is hidden. */
  readonly workerEntry?: string;
  readonly workersSilent?: boolean;
  /** An already opened GeoIP database (tests share one); default: open geoip.database. */
  readonly geo?: MmdbGeoDatabase;
  readonly stateStore?: StateStore & StoreHealth;
  readonly syncProvider?: DnsProvider;
  /** The sync's clock and timers (tests: virtual time). */
  readonly syncTimers?: SyncTimers;
  readonly sourceDelays?: Partial<WatchDelays>;
  readonly prober?: Prober;
  readonly healthRandom?: Random;
  readonly healthNow?: () => number;
  /** Where health checks and hold-downs are scheduled (tests: a manual clock). */
  readonly healthTimers?: Timers;
  /** Time 1 in this many queries (default 64). */
  readonly timingSample?: number;
  /** prom-client's process_* and nodejs_* metrics (default true). */
  readonly defaultMetrics?: boolean;
}

/** Where a started service listens. */
export interface StartedService {
  readonly dns: readonly BoundAddress[];
  readonly admin: { host: string; port: number } | undefined;
  /** admin.open_listen's address, when configured. */
  readonly adminOpen: { host: string; port: number } | undefined;
  readonly alerts: { host: string; port: number } | undefined;
  /** PIDs of the DNS worker processes (none when this process answers DNS itself). */
  readonly workers: readonly number[];
}

/** What a reload did: applied (with what waits for a restart), or refused with every problem. */
export type ReloadResult =
  | { readonly ok: true; readonly source: string; readonly generation: number; readonly needsRestart: readonly NeedsRestart[] }
  | { readonly ok: false; readonly source: string; readonly problems: readonly string[] };

/** A geosteer wired from a config: nothing bound until start(). */
export interface Service {
  readonly control: ControlPlane;
  readonly events: EventLog;
  readonly state: StateStore & StoreHealth;
  readonly health: HealthService;
  readonly metrics: GeosteerMetrics;
  /** The admin server (built; listening after start() unless deps.adminListen is "inject"). */
  readonly admin: FastifyInstance | undefined;
  /** The server of admin.open_listen (built when configured). */
  readonly adminOpen: FastifyInstance | undefined;
  /** What the DNS listeners of this process call (timed); undefined when DNS workers answer. */
  readonly handler: MessageHandler | undefined;
  /** The config in force. */
  config(): LoadedConfig;
  /** The Cloudflare sync running now, if configured. */
  sync(): ReturnType<SyncOutput['current']>;
  start(): Promise<StartedService>;
  /** Stops every part in reverse start order, each awaited: afterwards nothing runs. */
  stop(): Promise<void>;
  /** Re-reads the config file and applies it (SIGHUP and POST /v1/reload). */
  reload(cause: string): Promise<ReloadResult>;
  explain(name: string, client: string, type?: ExplainType): Explanation;
  /** Queries whose handling threw (in this process). */
  dnsFailures(): number;
  /** The UDP path of each address this process serves (none when DNS workers answer). */
  udpBackends(): readonly (BoundAddress & UdpBackend)[];
}

/**
 * The composition root: wires config, state, health, sources, the control plane, DNS,
 * sync, admin and metrics. Binds nothing; start(), stop() and reload() walk the parts in
 * the order listed below.
 */
export async function buildService(initial: LoadedConfig, deps: ServiceDeps): Promise<Service> {
  const { log } = deps;
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? Date.now;
  const rand = deps.rand ?? Math.random;
  const checked = await preflight(initial, env, { geo: deps.geo });
  if (checked.problems.length > 0) throw new ConfigError(initial.source, checked.problems);
  const geo = checked.geo!;
  // NSID and cookie secrets are resolved here, once, and travel with the config to DNS workers
  const withIdentity = (l: LoadedConfig, previous?: DnsIdentity): LoadedConfig => ({
    ...l,
    identity: resolveDnsIdentity(l.config.dns, { env, configPath: l.source, hostname: deps.hostname ?? machineHostname, randomSecret: deps.cookieSecret ?? (() => randomBytes(16)), previous }),
  });
  let loaded = withIdentity(initial);
  const config = () => loaded;

  // state.store redis: one capped stream shared by every instance; memory: bounded, in this process.
  const events = await createEventLog(initial.config.state, env, log, clock);
  events.onEvent((e) => log.info({ event: e }, `event ${e.type}`));
  const metrics = createMetrics({ timingSample: deps.timingSample, defaultMetrics: deps.defaultMetrics });
  const store = deps.stateStore ?? (await createStateStore(initial.config.state, env, log, events));
  const control = new ControlPlane(
    { config: loaded, overrides: EMPTY_STATE, health: ALL_UP, endpoints: new Map(), geo: { db: geo, generation: 1 } },
    { log, events, clock },
  );
  metrics.attach({ current: () => control.current(), get compiles() { return control.compiles; }, geoStats: control.geoStats, events, store });

  const stateCfg = initial.config.state;
  const health = new HealthService({
    config: initial,
    events,
    log,
    env,
    onView: (view, reason) => void control.update({ health: view }, reason),
    shared: stateCfg.store === 'redis' ? { store, instance: instanceIdOf(stateCfg), heartbeatMs: stateCfg.heartbeat_interval, ttlMs: stateCfg.observation_ttl, quorum: stateCfg.quorum } : undefined,
    observer: metrics.healthChecks,
    prober: deps.prober,
    now: deps.healthNow,
    timers: deps.healthTimers,
    random: deps.healthRandom,
  });
  const syncMetrics = new SyncMetrics(metrics.registry);
  const sync = syncOutput({ control, config, log, events, metrics: syncMetrics, env, provider: deps.syncProvider, timers: deps.syncTimers });

  // DNS: answered here, or (dns.workers > 1, default one per core) by cluster workers that
  // share the sockets while this process keeps the control plane (src/cluster/README.md).
  const workerCount = deps.workers ?? initial.config.dns.workers ?? (await import('node:os')).availableParallelism();
  let dns: DnsListeners | undefined;
  let pool: DnsWorkerPool | undefined;
  let handler: MessageHandler | undefined;
  if (workerCount > 1) {
    pool = dnsWorkerPool({ count: workerCount, control, log, logLevel: () => loaded.config.log.level, entry: deps.workerEntry, silent: deps.workersSilent });
    metrics.setRemote(() => pool!.collectMetrics());
  } else {
    const queries = new QueryHandler(control.current().serving, metrics.queries, rand, clock);
    control.subscribe((c) => queries.setServing(c.snapshot.serving));
    handler = metrics.timed(queries);
    dns = dnsListeners({ config, handler, log, env, override: deps.dnsListen });
  }

  // --- admin: tokens and client certificates (reloadable), TLS, readiness, the open listener ---
  let tokens: readonly AdminToken[] = [];
  let openEndpoints: readonly OpenEndpoint[] = [];
  let clientCertificates: readonly ClientCertificateRule[] = [];
  const adminTokens = (l: LoadedConfig) => {
    tokens = resolveTokens(l.config.admin?.tokens ?? [], env, log);
    openEndpoints = l.config.admin?.open_endpoints ?? [];
    clientCertificates = l.config.admin?.tls?.client_certificates ?? [];
  };
  adminTokens(initial);
  let listening = false;
  const explain = (name: string, client: string, type: ExplainType = 'A') => explainQuery(control.current(), name, client, type, deps.explainRand ?? rand);
  const ready = () => {
    const generation = control.current().inputs.geo.generation;
    const workers = pool?.status() ?? [];
    const geoip = workers.every((w) => w.geoipGeneration === generation);
    const state = stateReadiness(store.status(), loaded.config.state.readiness);
    return { ready: listening && geoip && state.ready, config: true, geoip, listeners: listening, geoip_generation: generation, state: state.view, workers };
  };
  const adminConfig = initial.config.admin;
  const admin = adminConfig
    ? buildAdmin({
        app: { current: () => control.current(), settled: () => control.settled(), state: store, events, explain },
        tokens: () => tokens,
        openEndpoints: () => openEndpoints,
        clientCertificates: () => clientCertificates,
        trustedProxies: adminConfig.trusted_proxies,
        https: adminConfig.tls ? tlsMaterialOf(initial, adminConfig.tls) : undefined,
        metrics,
        reload: () => reload('POST /v1/reload'),
        ready,
        log,
        now: clock,
        sync: () => sync.current(),
        alerts: { receiver: health, token: () => health.alertToken, maxBody: initial.config.health.alertmanager?.max_body ?? ALERTMANAGER_MAX_BODY, observer: metrics.alertPosts },
      })
    : undefined;
  const adminOpen = adminConfig?.open_listen !== undefined || deps.adminOpenListen !== undefined ? buildOpenAdmin({ ready, metrics }) : undefined;
  // the path this process (or, with workers, each worker on its own socket) takes
  metrics.setBuildInfo({ version: GEOSTEER_VERSION, node: process.version, udp: udpBackend(env, pool ? { shared: true, udpReusePort: true } : {}).kind });

  const adminPart = admin && deps.adminListen !== 'inject' ? adminServer({ server: admin, config, listen: deps.adminListen, log, tlsPollMs: deps.adminTlsPollMs }) : undefined;
  const adminOpenPart = adminOpen ? openAdminServer({ server: adminOpen, config, listen: deps.adminOpenListen, log }) : undefined;
  const alerts = alertListener({ config, receiver: health, token: () => health.alertToken, log, listen: deps.alertListen, observer: metrics.alertPosts, now: clock });
  // The order parts start in; they stop in reverse. Inputs first, so DNS never answers from
  // a snapshot without the stored overrides (or, with wait_for_checks, without first checks);
  // the admin server before DNS, so /readyz can say "not yet" while DNS binds.
  const parts: Subsystem[] = [
    // Stops last: every other part may still record events while it stops.
    { name: 'events', start: async () => {}, stop: () => events.close() },
    stateInput({ store, control, log }),
    { name: 'health', start: () => health.start(), stop: () => health.stop(), reload: async (next) => health.reload(next) },
    sourcesInput({ control, config, log, events, metrics: syncMetrics, delays: deps.sourceDelays, onReadiness: (region, r) => health.setClusterReadiness(region, r) }),
    sync,
    ...(adminPart ? [adminPart] : []),
    ...(adminOpenPart ? [adminOpenPart] : []),
    alerts,
    pool ?? dns!,
    geoDatabaseInput({ control, events, log, config }),
    configFilesInput({ config, reload: (cause) => reload(cause), log }),
    { name: 'admin-tokens', start: async () => {}, stop: async () => {}, reload: async (next) => adminTokens(next) },
    { name: 'log', start: async () => {}, stop: async () => {}, reload: async (next) => setLogLevel(log, next.config.log.level) },
  ];

  async function start(): Promise<StartedService> {
    await startAll(parts, log);
    listening = true;
    const started: StartedService = { dns: dns?.bound() ?? listenAddressesOf(loaded), admin: adminPart?.address(), adminOpen: adminOpenPart?.address(), alerts: alerts.address(), workers: pool?.pids() ?? [] };
    log.info({ config: loaded.source, version: GEOSTEER_VERSION, listen: started.dns, workers: started.workers, admin: started.admin, geoip: geo.info, generation: control.current().generation }, 'geosteer serving');
    return started;
  }

  async function stop(): Promise<void> {
    listening = false;
    await stopAll(parts, log);
  }

  // One reload at a time: SIGHUP, POST /v1/reload and a file change may come together.
  let reloading: Promise<unknown> = Promise.resolve();
  function reload(cause: string): Promise<ReloadResult> {
    const result = reloading.then(() => reloadOnce(cause));
    reloading = result.catch(() => undefined);
    return result;
  }

  async function reloadOnce(cause: string): Promise<ReloadResult> {
    const source = loaded.source;
    let next: LoadedConfig;
    try {
      next = await loadConfigFile(source, { maxBytes: deps.maxConfigBytes });
      const checks = await preflight(next, env, { geo: next.config.geoip.database === loaded.config.geoip.database ? geo : undefined });
      if (checks.problems.length > 0) throw new ConfigError(source, checks.problems);
      next = withIdentity(next, loaded.identity);
    } catch (err) {
      const problems = err instanceof ConfigError ? [...err.problems] : [(err as Error).message];
      events.record({ type: 'config_rejected', cause: `${cause}: ${source}: ${problems.length} problem(s); still serving the previous config`, detail: { source, problems } });
      return { ok: false, source, problems };
    }
    const previous = loaded;
    const needsRestart = settingsNeedingRestart(previous.config, next.config);
    loaded = next;
    const snapshot = await control.update({ config: next }, `config reload (${cause})`);
    const failures = await reloadAll(parts, next, previous, log);
    for (const n of needsRestart) log.warn({ path: n.path, reason: n.reason }, `config reload: ${n.path} changed; it takes effect at the next restart (${n.reason})`);
    events.record({
      type: 'config_reloaded',
      cause: `${cause}: ${source}${needsRestart.length > 0 ? `; needs a restart: ${needsRestart.map((n) => n.path).join(', ')}` : ''}`,
      detail: { source, generation: snapshot.generation, needs_restart: needsRestart.map((n) => n.path), failures },
    });
    return { ok: true, source, generation: control.current().generation, needsRestart };
  }

  return {
    control,
    events,
    state: store,
    health,
    metrics,
    admin,
    adminOpen,
    handler,
    config,
    sync: () => sync.current(),
    start,
    stop,
    reload,
    explain,
    dnsFailures: () => dns?.failures() ?? 0,
    udpBackends: () => dns?.udpBackends() ?? [],
  };
}

/** admin.tls read at build (the server is HTTPS from the start); a file that does not load is a config problem. */
function tlsMaterialOf(loaded: LoadedConfig, tls: AdminTlsConfig) {
  try {
    return readTlsMaterial(tls);
  } catch (err) {
    if (err instanceof GeosteerError) throw new ConfigError(loaded.source, [err.message]);
    throw err;
  }
}

/** Applies log.level to a pino logger (the Logger interface hides the setter). */
function setLogLevel(log: Logger, level: string): void {
  (log as Logger & { level?: string }).level = level;
}
