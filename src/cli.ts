#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { App } from './app.js';
import { resolveTokens } from './admin/auth.js';
import { buildAdmin } from './admin/build-admin.js';
import { listenAdmin } from './admin/listen-admin.js';
import { reloadConfig } from './config/reload.js';
import { createMetrics } from './metrics/create-metrics.js';
import { loadConfigFile, type LoadedConfig } from './config/load.js';
import { startDnsWorkers } from './cluster/dns-workers.js';
import { WorkerSync } from './cluster/worker-sync.js';
import { resolveGeoDatabasePath } from './geo/bundled-database.js';
import { watchGeoDatabase } from './geo/geo-database-watcher.js';
import { openGeoDatabase } from './geo/mmdb-geo-database.js';
import { registerAlertmanagerRoute } from './health/alertmanager-route.js';
import { startHealthService } from './health/health-service.js';
import { ConfigError, GeosteerError } from './shared/errors.js';
import { createLogger, silentLogger, type Logger } from './shared/logger.js';
import { formatExplain } from './steering/explain.js';
import { ALL_UP, type HealthView } from './steering/region-status.js';
import { createStateStore, instanceIdOf } from './state/create-state-store.js';
import { HealthPublisher } from './state/health-publisher.js';
import { targetsFromHealthView } from './state/health-quorum.js';
import type { StateStore } from './state/state-store.js';
import { startSources } from './sources/start-sources.js';
import { startCloudflareSync } from './sync/start-sync.js';
import { SyncMetrics } from './metrics/sync-metrics.js';
import { registerSyncRoutes } from './sync/sync-route.js';

// The only module that exits the process. Exit codes: 0 ok, 1 runtime failure, 2 bad
// config or usage.

const USAGE = `usage:
  geosteer serve --config FILE
  geosteer check-config FILE
  geosteer explain NAME --client IP[/PREFIX] --config FILE [--json]`;

class UsageError extends Error {}

async function loadOrExit(path: string | undefined): Promise<LoadedConfig> {
  if (!path) throw new UsageError('--config FILE is required');
  return loadConfigFile(path);
}

async function openGeo(loaded: LoadedConfig) {
  const path = resolveGeoDatabasePath(loaded.config.geoip.database);
  try {
    return await openGeoDatabase(path);
  } catch (err) {
    throw new GeosteerError('GEOIP_UNAVAILABLE', `geoip.database: ${(err as Error).message}`, { cause: err });
  }
}

async function serve(configPath: string | undefined): Promise<void> {
  const loaded = await loadOrExit(configPath);
  const log: Logger = createLogger(loaded.config.log.level);
  const geo = await openGeo(loaded);
  const metrics = createMetrics();
  const { store: state, publisher } = await openState(loaded, log);
  const app = new App(loaded, { log, geo, state, observer: metrics.queries });
  metrics.attach(app);
  // Local checks feed the app directly, or through the quorum of instances when state is shared.
  const sink = publisher ? { events: app.events, setHealth: (view: HealthView) => publisher.setLocal(view) } : app;
  // Before listening: with health.startup wait_for_checks this waits for the first checks.
  const health = await startHealthService(loaded, sink, log);
  publisher?.start(app);
  // Sources and Cloudflare sync (when configured), before listening so that a bad kubeconfig
  // or a missing token stops the start.
  const syncMetrics = new SyncMetrics(metrics.registry);
  const sources = await startSources(app, { log, events: app.events, metrics: syncMetrics });
  const reconciler = await startCloudflareSync(loaded.config, { current: () => app.snapshot(), subscribe: (l) => app.onRebuild(l) }, { log, events: app.events, observer: syncMetrics });
  const reload = async (cause: string) => {
    const result = await reloadConfig(app, loaded.source, cause);
    if (result.ok) health.reload(result.loaded);
    return result;
  };
  // The admin server comes up first so /readyz can say "not yet" while the DNS listeners bind.
  const readiness = { config: true, geoip: true, listeners: false };
  const adminConfig = loaded.config.admin;
  const admin = adminConfig
    ? buildAdmin({
        app,
        tokens: resolveTokens(adminConfig.tokens, process.env, log),
        openEndpoints: adminConfig.open_endpoints,
        metrics,
        reload: () => reload('POST /v1/reload'),
        ready: () => readiness,
        log,
      })
    : undefined;
  if (admin) {
    registerSyncRoutes(admin, reconciler);
    if (health.monitor && health.alertToken !== undefined) registerAlertmanagerRoute(admin, { token: health.alertToken, receiver: health.monitor });
  }
  const adminAddress = admin && adminConfig ? await listenAdmin(admin, adminConfig.listen) : undefined;
  // One process answers DNS itself; with dns.workers > 1 (default: one per core) this process
  // keeps the control plane and cluster workers share the DNS sockets (src/cluster/README.md).
  const workerCount = loaded.config.dns.workers ?? availableParallelism();
  const workerSync = workerCount > 1 ? new WorkerSync(app, () => app.config.text ?? readFileSync(app.config.source, 'utf8'), geo.info.path) : undefined;
  const workerPool = workerSync ? startDnsWorkers({ count: workerCount, sync: workerSync, log, logLevel: loaded.config.log.level }) : undefined;
  await workerPool?.ready;
  if (workerPool) metrics.setRemote(() => workerPool.collectMetrics());
  const bound = workerPool ? { listen: loaded.config.dns.listen, workers: workerPool.pids() } : await app.listen();
  readiness.listeners = true;
  const watcher = watchGeoDatabase({
    path: geo.info.path,
    logger: log,
    current: geo,
    checkIntervalMs: loaded.config.geoip.reload_check_interval,
    onLoaded: (db) => {
      app.setGeoDatabase(db);
      workerSync?.geoDatabaseChanged();
    },
  });
  log.info({ config: loaded.source, listen: bound, admin: adminAddress, geoip: geo.info, generation: app.snapshot().generation }, 'geosteer serving');

  // The same reload as POST /v1/reload; the outcome is logged through the event log.
  process.on('SIGHUP', () => {
    reload('SIGHUP').catch((err: Error) => log.error({ err }, 'config reload failed'));
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new queries; finishing in-flight TCP queries');
    watcher.close();
    publisher?.stop();
    void health.close();
    void Promise.all([...sources.map((s) => s.stop()), reconciler?.stop()]);
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    workerSync?.close();
    Promise.all([app.close(), admin?.close(), workerPool?.close()])
      .then(() => state.close())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * The configured state store, read once before serving. With Redis, health observations are
 * shared too (HealthPublisher). Redis being down at start is not fatal: we serve from the config
 * and our own checks, refuse admin writes, and resync when it comes back.
 */
async function openState(
  loaded: LoadedConfig,
  log: Logger,
): Promise<{ store: StateStore; publisher?: { start(app: App): void; setLocal(view: HealthView): void; stop(): void } }> {
  const cfg = loaded.config.state;
  const store = createStateStore(cfg, log);
  try {
    await store.refresh();
  } catch (err) {
    log.error({ err: (err as Error).message }, 'state store unavailable at start; serving configured weights and drains until it is reachable');
  }
  if (cfg.store !== 'redis') return { store };
  // This instance's own view: everything up until the health monitor reports.
  let localHealth: HealthView = ALL_UP;
  let publisher: HealthPublisher | undefined;
  return {
    store,
    publisher: {
      start(app: App) {
        publisher = new HealthPublisher({
          store,
          instance: instanceIdOf(cfg),
          localTargets: () => targetsFromHealthView(localHealth, app.config.model.regions),
          onView: (view) => app.setHealth(view),
          heartbeatMs: cfg.heartbeat_interval,
          ttlMs: cfg.observation_ttl,
          quorum: cfg.quorum,
          log,
        });
        publisher.start();
      },
      setLocal(view: HealthView) {
        localHealth = view;
        void publisher?.localChanged();
      },
      stop: () => publisher?.stop(),
    },
  };
}

async function checkConfig(path: string | undefined): Promise<void> {
  if (!path) throw new UsageError('check-config needs a FILE');
  const loaded = await loadConfigFile(path);
  const { model } = loaded;
  process.stdout.write(`${path}: OK (${model.zones.length} zone(s), ${model.regions.size} region(s), ${model.policies.length} steered name(s))\n`);
}

async function explain(name: string | undefined, client: string | undefined, configPath: string | undefined, json: boolean): Promise<void> {
  if (!name) throw new UsageError('explain needs a NAME');
  if (!client) throw new UsageError('explain needs --client IP[/PREFIX]');
  const loaded = await loadOrExit(configPath);
  const app = new App(loaded, { log: silentLogger(), geo: await openGeo(loaded) });
  const trace = app.explain(name, client);
  process.stdout.write(json ? `${JSON.stringify(trace, null, 2)}\n` : `${formatExplain(trace)}\n`);
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, client: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, arg] = positionals;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  switch (command) {
    case 'serve':
      return serve(values.config);
    case 'check-config':
      return checkConfig(arg ?? values.config);
    case 'explain':
      return explain(arg, values.client, values.config, values.json ?? false);
    default:
      throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\ngeosteer: refusing to start with an invalid config\n`);
    process.exit(2);
  }
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`geosteer: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof GeosteerError) {
    process.stderr.write(`geosteer: ${err.message}\n`);
    process.exit(err.code === 'CONFIG_INVALID' || err.code === 'CONFIG_UNREADABLE' || err.code === 'BAD_REQUEST' || err.code === 'NOT_FOUND' ? 2 : 1);
  }
  process.stderr.write(`geosteer: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
