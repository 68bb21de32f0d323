import { resolveTokens } from '../admin/auth.js';
import { configuredCookieSecrets } from '../config/dns-identity.js';
import type { LoadedConfig } from '../config/load.js';
import { resolveGeoDatabasePath } from '../geo/bundled-database.js';
import { openGeoDatabase, type MmdbGeoDatabase } from '../geo/mmdb-geo-database.js';
import { alertmanagerToken } from '../health/health-service.js';
import { ConfigError } from '../shared/errors.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { redisPasswordOf } from '../state/create-state-store.js';

/** What the checks found: problems refuse the config; warnings are what serve logs and starts anyway; skipped names the checks --offline left out. */
export interface PreflightResult {
  readonly problems: string[];
  readonly warnings: string[];
  readonly skipped: string[];
  /** The GeoIP database, opened and validated (when not offline). */
  readonly geo: MmdbGeoDatabase | undefined;
}

/**
 * What serve warns about the admin tokens (unset or short variables: the token is left out
 * and the server starts), from the very function serve resolves them with.
 */
function adminTokenWarnings(loaded: LoadedConfig, env: NodeJS.ProcessEnv): string[] {
  const warnings: string[] = [];
  const drop = () => {};
  const collect: Logger = { trace: drop, debug: drop, info: drop, warn: (_obj, msg) => warnings.push(msg ?? ''), error: drop, fatal: drop, child: () => collect };
  resolveTokens(loaded.config.admin?.tokens ?? [], env, collect);
  return warnings;
}

/**
 * Every check `serve` runs on a valid config before it binds anything: secrets named by
 * environment variables, kubeconfig files, the GeoIP database, and (warnings only, as serve
 * starts without them) the admin tokens' variables. check-config, serve and reload all call
 * this, so they refuse the same configs. `offline` skips what depends on this machine's
 * environment and files (for CI pipelines without the secrets).
 */
export async function preflight(loaded: LoadedConfig, env: NodeJS.ProcessEnv, opts: { offline?: boolean; geo?: MmdbGeoDatabase } = {}): Promise<PreflightResult> {
  const { config } = loaded;
  const problems: string[] = [];
  const skipped: string[] = [];
  if (opts.offline) {
    (config.admin?.tokens ?? []).forEach((t, i) => {
      if (t.token_env !== undefined) skipped.push(`admin.tokens[${i}].token_env (${t.token_env} not read)`);
    });
    if (config.state.password_env) skipped.push(`state.password_env (${config.state.password_env} not read)`);
    if (config.health.alertmanager?.token_env) skipped.push(`health.alertmanager.token_env (${config.health.alertmanager.token_env} not read)`);
    if (config.sync?.cloudflare) skipped.push(`sync.cloudflare.api_token_env (${config.sync.cloudflare.api_token_env} not read)`);
    for (const [region, rc] of Object.entries(config.sources?.kubernetes?.regions ?? {})) skipped.push(`sources.kubernetes.regions.${region}.kubeconfig (${rc.kubeconfig} not read)`);
    if (config.dns.cookies.secret_env !== undefined) skipped.push(`dns.cookies.secret_env (${config.dns.cookies.secret_env} not read)`);
    if (config.dns.cookies.secret_file !== undefined) skipped.push(`dns.cookies.secret_file (${config.dns.cookies.secret_file} not read)`);
    skipped.push(`geoip.database (${config.geoip.database} not opened)`);
    return { problems, warnings: [], skipped, geo: undefined };
  }
  const warnings = adminTokenWarnings(loaded, env);
  try {
    redisPasswordOf(config.state, env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  try {
    alertmanagerToken(loaded, env);
  } catch (err) {
    problems.push(...(err instanceof ConfigError ? err.problems : [(err as Error).message]));
  }
  if (config.dns.cookies.enabled) {
    const secrets = configuredCookieSecrets(config.dns, { env, configPath: loaded.source });
    if (typeof secrets === 'string') problems.push(secrets);
  }
  const cf = config.sync?.cloudflare;
  if (cf && !env[cf.api_token_env]) problems.push(`sync.cloudflare.api_token_env: environment variable ${cf.api_token_env} is not set; export a Cloudflare API token with Zone.DNS edit rights`);
  const k8s = config.sources?.kubernetes;
  if (k8s) {
    // Building the source reads and checks a kubeconfig and context; nothing connects yet.
    // One region at a time, so every unusable kubeconfig is reported, not only the first.
    const { KubernetesSource } = await import('../sources/kubernetes-source.js');
    for (const [region, rc] of Object.entries(k8s.regions)) {
      try {
        new KubernetesSource({ ...k8s, regions: { [region]: rc } }, silentLogger(), () => {});
      } catch (err) {
        problems.push((err as Error).message);
      }
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
  return { problems, warnings, skipped, geo };
}
