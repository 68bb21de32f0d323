#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { App } from './app.js';
import { startDnsWorkers } from './cluster/dns-workers.js';
import { WorkerSync } from './cluster/worker-sync.js';
import { loadConfigFile, parseConfigText, type LoadedConfig } from './config/load.js';
import { resolveGeoDatabasePath } from './geo/bundled-database.js';
import { watchGeoDatabase } from './geo/geo-database-watcher.js';
import { openGeoDatabase } from './geo/mmdb-geo-database.js';
import { ConfigError, GeosteerError } from './shared/errors.js';
import { createLogger, silentLogger, type Logger } from './shared/logger.js';
import { formatExplain } from './steering/explain.js';

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
  const workers = loaded.config.dns.workers ?? availableParallelism();
  if (workers > 1) return serveWithWorkers(loaded, workers);
  const log: Logger = createLogger(loaded.config.log.level);
  const geo = await openGeo(loaded);
  const app = new App(loaded, { log, geo });
  const bound = await app.listen();
  const watcher = watchGeoDatabase({
    path: geo.info.path,
    logger: log,
    current: geo,
    checkIntervalMs: loaded.config.geoip.reload_check_interval,
    onLoaded: (db) => {
      app.setGeoDatabase(db);
      log.info({ geoip: db.info }, 'GeoIP database reloaded');
    },
  });
  log.info({ config: loaded.source, listen: bound, geoip: geo.info, generation: app.snapshot().generation }, 'geosteer serving');

  process.on('SIGHUP', () => {
    loadConfigFile(loaded.source).then(
      (next) => {
        app.applyConfig(next);
        log.info({ config: next.source }, 'config reloaded');
      },
      (err: Error) => log.error({ problems: err instanceof ConfigError ? err.problems : [err.message] }, 'config reload refused; still serving the previous config'),
    );
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new queries; finishing in-flight TCP queries');
    watcher.close();
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * The primary of a multi-process server: it runs the control plane (the App without DNS
 * listeners; later the admin API, health checks and sync) and `count` DNS workers that share
 * the listen sockets and follow every rebuild through WorkerSync (src/cluster/README.md).
 */
async function serveWithWorkers(first: LoadedConfig, count: number): Promise<void> {
  let configText = readFileSync(first.source, 'utf8');
  const loaded = parseConfigText(configText, first.source);
  const log: Logger = createLogger(loaded.config.log.level);
  const geo = await openGeo(loaded);
  const app = new App(loaded, { log, geo });
  const sync = new WorkerSync(app, () => configText, geo.info.path);
  const pool = startDnsWorkers({ count, sync, log, logLevel: loaded.config.log.level });
  await pool.ready;
  const watcher = watchGeoDatabase({
    path: geo.info.path,
    logger: log,
    current: geo,
    checkIntervalMs: loaded.config.geoip.reload_check_interval,
    onLoaded: (db) => {
      app.setGeoDatabase(db);
      sync.geoDatabaseChanged();
      log.info({ geoip: db.info }, 'GeoIP database reloaded');
    },
  });
  log.info({ config: loaded.source, listen: loaded.config.dns.listen, workers: pool.pids(), geoip: geo.info }, 'geosteer serving');
  process.on('SIGHUP', () => {
    try {
      const text = readFileSync(loaded.source, 'utf8');
      const next = parseConfigText(text, loaded.source);
      configText = text;
      app.applyConfig(next); // the rebuild sends the new config to every worker
      log.info({ config: next.source }, 'config reloaded');
    } catch (err) {
      log.error({ problems: err instanceof ConfigError ? err.problems : [(err as Error).message] }, 'config reload refused; still serving the previous config');
    }
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: DNS workers finish in-flight TCP queries');
    watcher.close();
    sync.close();
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    Promise.all([pool.close(), app.close()]).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
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
    process.exit(err.code === 'CONFIG_UNREADABLE' || err.code === 'BAD_REQUEST' || err.code === 'NOT_FOUND' ? 2 : 1);
  }
  process.stderr.write(`geosteer: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
