#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_CONFIG_BYTES, describeBytes, parseByteSize } from './config/config-file.js';
import { loadConfigFile, type LoadedConfig } from './config/load.js';
import { buildService } from './service/build-service.js';
import { explainFromConfig } from './service/explain-offline.js';
import { preflight } from './service/preflight.js';
import { GEOSTEER_VERSION } from './service/version.js';
import { ConfigError, GeosteerError } from './shared/errors.js';
import { createLogger } from './shared/logger.js';
import { formatExplain } from './steering/explain.js';

// The only module that exits the process: argv, signals and exit codes (0 ok, 1 runtime
// failure, 2 bad config or usage). Everything else is built by buildService.

const USAGE = `usage:
  geosteer serve --config FILE
  geosteer check-config FILE [--offline]
  geosteer explain NAME --client IP[/PREFIX] --config FILE [--type A|AAAA] [--json]
  geosteer --version
options:
  --max-config-size SIZE   refuse config files larger than SIZE (bytes, or with KiB, MiB, GiB);
                           default ${describeBytes(DEFAULT_MAX_CONFIG_BYTES)}; serve applies it to reloads too`;

class UsageError extends Error {}

/** The config size limit: --max-config-size, else the default. */
function maxConfigBytes(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_CONFIG_BYTES;
  const bytes = parseByteSize(text);
  if (bytes === undefined) throw new UsageError(`--max-config-size: expected a size like 16MiB, 512KiB or 1000000, got ${JSON.stringify(text)}`);
  return bytes;
}

async function loadOrExit(path: string | undefined, maxBytes: number): Promise<LoadedConfig> {
  if (!path) throw new UsageError('--config FILE is required');
  return loadConfigFile(path, { maxBytes });
}

async function serve(configPath: string | undefined, maxBytes: number): Promise<void> {
  const loaded = await loadOrExit(configPath, maxBytes);
  const log = createLogger(loaded.config.log.level);
  const service = await buildService(loaded, { log, maxConfigBytes: maxBytes });
  await service.start();

  // The same reload as POST /v1/reload; the outcome is an event (and so a log line).
  process.on('SIGHUP', () => {
    service.reload('SIGHUP').catch((err: Error) => log.error({ err }, 'config reload failed'));
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new queries; finishing in-flight TCP queries');
    // A part that hangs must not keep the process: stop() has 10 s.
    const force = setTimeout(() => {
      log.error({}, 'stopping took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000);
    force.unref();
    service.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function checkConfig(path: string | undefined, offline: boolean, maxBytes: number): Promise<void> {
  if (!path) throw new UsageError('check-config needs a FILE');
  const loaded = await loadConfigFile(path, { maxBytes });
  const { problems, warnings, skipped } = await preflight(loaded, process.env, { offline });
  if (problems.length > 0) throw new ConfigError(path, problems);
  // what serve logs as a warning and starts anyway
  for (const w of warnings) process.stderr.write(`${path}: warning: ${w}\n`);
  const { model } = loaded;
  process.stdout.write(`${path}: OK (${model.zones.length} zone(s), ${model.regions.size} region(s), ${model.policies.length} steered name(s))\n`);
  for (const s of skipped) process.stdout.write(`${path}: not checked (--offline): ${s}\n`);
}

async function explain(name: string | undefined, client: string | undefined, configPath: string | undefined, type: string | undefined, json: boolean, maxBytes: number): Promise<void> {
  if (!name) throw new UsageError('explain needs a NAME');
  if (!client) throw new UsageError('explain needs --client IP[/PREFIX]');
  if (type !== undefined && type !== 'A' && type !== 'AAAA') throw new UsageError(`--type: expected A or AAAA, got ${JSON.stringify(type)}`);
  const trace = await explainFromConfig(await loadOrExit(configPath, maxBytes), name, client, type ?? 'A');
  process.stdout.write(json ? `${JSON.stringify(trace, null, 2)}\n` : `${formatExplain(trace)}\n`);
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      client: { type: 'string' },
      type: { type: 'string' },
      json: { type: 'boolean' },
      offline: { type: 'boolean' },
      'max-config-size': { type: 'string' },
      version: { type: 'boolean', short: 'V' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.version || command === 'version') {
    process.stdout.write(`geosteer ${GEOSTEER_VERSION} (node ${process.version})\n`);
    return;
  }
  const maxBytes = maxConfigBytes(values['max-config-size']);
  switch (command) {
    case 'serve':
      return serve(values.config, maxBytes);
    case 'check-config':
      return checkConfig(arg ?? values.config, values.offline ?? false, maxBytes);
    case 'explain':
      return explain(arg, values.client, values.config, values.type, values.json ?? false, maxBytes);
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
