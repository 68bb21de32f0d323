import type { App } from '../app.js';
import { delegatedZones } from '../config/sync-checks.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { DnsProvider } from './dns-provider.js';
import { Reconciler } from './reconciler.js';
import type { RetryOptions } from './cloudflare/retry.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';

/** What startCloudflareSync needs besides the app. */
export interface SyncDeps {
  readonly log: Logger;
  readonly metrics?: SyncMetrics;
  readonly env?: NodeJS.ProcessEnv;
  /** Use this provider instead of Cloudflare (tests). */
  readonly provider?: DnsProvider;
  readonly retry?: Partial<RetryOptions>;
  readonly retryDelayMs?: number;
}

/**
 * Builds the Cloudflare reconciler from `sync.cloudflare`, subscribes it to the app's
 * snapshots and starts it; undefined when sync is not configured. Rejects when the API token
 * variable is unset. The Cloudflare SDK is loaded only here, when sync is configured: it adds
 * about 18 MB of heap that a server without sync should not carry (nor scan in every GC).
 */
export async function startCloudflareSync(app: App, deps: SyncDeps): Promise<Reconciler | undefined> {
  const { config } = app.config;
  const cf = config.sync?.cloudflare;
  if (!cf) return undefined;
  const log = deps.log.child({ sync: 'cloudflare' });
  let provider = deps.provider;
  if (!provider) {
    const token = (deps.env ?? process.env)[cf.api_token_env];
    if (!token) throw new GeosteerError('CONFIG_INVALID', `sync.cloudflare.api_token_env: environment variable ${cf.api_token_env} is not set; export a Cloudflare API token with Zone.DNS edit rights`);
    const { CloudflareProvider } = await import('./cloudflare/cloudflare-provider.js');
    provider = new CloudflareProvider({ apiToken: token, zoneId: cf.zone_id, baseURL: cf.base_url, log, retry: deps.retry });
  }
  const reconciler = new Reconciler({
    provider,
    config: cf,
    delegated: delegatedZones(config),
    snapshot: () => app.snapshot(),
    log,
    events: app.events,
    metrics: deps.metrics,
    retryDelayMs: deps.retryDelayMs,
  });
  reconciler.onStop(app.onRebuild((s) => reconciler.notify(s)));
  reconciler.start();
  return reconciler;
}
