import type { LoadedConfig } from '../config/load.js';
import { resolveGeoDatabasePath } from '../geo/bundled-database.js';
import { openGeoDatabase, type MmdbGeoDatabase } from '../geo/mmdb-geo-database.js';
import { alertmanagerToken } from '../health/health-service.js';
import { ConfigError } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';

/** What the checks found: problems refuse the config; skipped names the checks --offline left out. */
export interface PreflightResult {
  readonly problems: string[];
  readonly skipped: string[];
  /** The GeoIP database, opened and validated (when not offline). */
  readonly geo: MmdbGeoDatabase | undefined;
}

/**
 * Every check `serve` runs on a valid config before it binds anything: secrets named by
 * environment variables, kubeconfig files, the GeoIP database. check-config, serve and
 * reload all call this, so they refuse the same configs. `offline` skips what depends on
 * this machine's environment and files (for CI pipelines without the secrets).
 */
export async function preflight(loaded: LoadedConfig, env: NodeJS.ProcessEnv, opts: { offline?: boolean; geo?: MmdbGeoDatabase } = {}): Promise<PreflightResult> {
  const { config } = loaded;
  const problems: string[] = [];
  const skipped: string[] = [];
  if (opts.offline) {
    if (config.health.alertmanager?.token_env) skipped.push(`health.alertmanager.token_env (${config.health.alertmanager.token_env} not read)`);
    if (config.sync?.cloudflare) skipped.push(`sync.cloudflare.api_token_env (${config.sync.cloudflare.api_token_env} not read)`);
    if (config.sources?.kubernetes) skipped.push('sources.kubernetes (kubeconfig files not read)');
    skipped.push(`geoip.database (${config.geoip.database} not opened)`);
    return { problems, skipped, geo: undefined };
  }
  try {
    alertmanagerToken(loaded, env);
  } catch (err) {
    problems.push(...(err instanceof ConfigError ? err.problems : [(err as Error).message]));
  }
  const cf = config.sync?.cloudflare;
  if (cf && !env[cf.api_token_env]) problems.push(`sync.cloudflare.api_token_env: environment variable ${cf.api_token_env} is not set; export a Cloudflare API token with Zone.DNS edit rights`);
  const k8s = config.sources?.kubernetes;
  if (k8s) {
    // Building the source reads and checks every kubeconfig and context; nothing connects yet.
    const { KubernetesSource } = await import('../sources/kubernetes-source.js');
    try {
      new KubernetesSource(k8s, silentLogger(), () => {});
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  let geo = opts.geo;
  if (!geo) {
    try {
      geo = await openGeoDatabase(resolveGeoDatabasePath(config.geoip.database));
    } catch (err) {
      problems.push(`geoip.database: ${(err as Error).message}`);
    }
  }
  return { problems, skipped, geo };
}
