import type { Config } from '../config/schema.js';
import { delegatedZones } from '../config/sync-checks.js';
import type { EventLog } from '../events/event-log.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { instanceIdOf } from '../state/create-state-store.js';
import type { DnsProvider } from './dns-provider.js';
import { Reconciler, type CloudflareSync } from './reconciler.js';
import { MemoryRequestBudget, type RequestBudget } from './request-budget.js';
import { RunTracker } from './run-tracker.js';
import type { SyncSource } from './sync-input.js';
import { NO_OBSERVER, teeObserver, type SyncObserver } from './sync-observer.js';
import { REAL_TIMERS, type SyncTimers } from './sync-timers.js';
import { MemoryWriterLease, type WriterLease } from './writer-lease.js';

/** The request budget and writer lease a deployment shares (Redis: src/state/redis-sync-coordination.ts). */
export interface SyncCoordination {
  readonly budget: RequestBudget;
  readonly lease: WriterLease;
}

/** What startCloudflareSync needs besides the config and the source. */
export interface SyncDeps {
  readonly log: Logger;
  readonly events?: EventLog;
  readonly observer?: SyncObserver;
  readonly env?: NodeJS.ProcessEnv;
  /** Use this provider instead of Cloudflare (tests). */
  readonly provider?: DnsProvider;
  /** Shared budget and lease; in-memory (this process only) when absent. */
  readonly coordination?: SyncCoordination;
  readonly timers?: SyncTimers;
  readonly random?: () => number;
  /** This instance's name in the writer lease (default state.instance_id, else hostname-pid). */
  readonly instanceId?: string;
}

/** The in-memory budget and lease for `config.sync.cloudflare` (one process). */
export function memoryCoordination(config: Config, now: () => number): SyncCoordination {
  const b = config.sync!.cloudflare!.budget;
  return { budget: new MemoryRequestBudget({ requests: b.requests, windowMs: b.window, burst: b.burst }, now), lease: new MemoryWriterLease(now) };
}

/**
 * Builds the Cloudflare sync from `sync.cloudflare`, subscribes it to `source` and starts
 * it; undefined when sync is not configured. Rejects when the API token variable is unset.
 * A reload that changes this section is stop() + startCloudflareSync(): a restart and a
 * reload then give the same outcome. The SDK is loaded only here, when sync is configured:
 * it adds about 18 MB of heap that a server without sync should not carry.
 */
export async function startCloudflareSync(config: Config, source: SyncSource, deps: SyncDeps): Promise<CloudflareSync | undefined> {
  const cf = config.sync?.cloudflare;
  if (!cf) return undefined;
  const log = deps.log.child({ sync: 'cloudflare' });
  const timers = deps.timers ?? REAL_TIMERS;
  const random = deps.random ?? Math.random;
  const coordination = deps.coordination ?? memoryCoordination(config, () => timers.now());
  const tracker = new RunTracker(() => timers.now());
  const observer = teeObserver(deps.observer ?? NO_OBSERVER, tracker);
  let provider = deps.provider;
  if (!provider) {
    const token = (deps.env ?? process.env)[cf.api_token_env];
    if (!token) throw new GeosteerError('CONFIG_INVALID', `sync.cloudflare.api_token_env: environment variable ${cf.api_token_env} is not set; export a Cloudflare API token with Zone.DNS edit rights`);
    const { CloudflareProvider } = await import('./cloudflare/cloudflare-provider.js');
    provider = new CloudflareProvider({
      apiToken: token,
      zoneId: cf.zone_id,
      tokenEnv: cf.api_token_env,
      baseURL: cf.base_url,
      log,
      budget: coordination.budget,
      timers,
      observer,
      rules: { maxWaitMs: cf.budget.max_wait },
      batchSize: cf.batch_size,
      random,
    });
  }
  const reconciler = new Reconciler({
    provider,
    source,
    settings: { names: cf, delegated: delegatedZones(config), policy: { mode: cf.policy, ownerId: cf.owner_id }, dryRun: cf.dry_run, zone: cf.zone_name ?? cf.zone_id },
    config: cf,
    schedule: { intervalMs: cf.interval, debounceMs: cf.debounce, retryDelayMs: cf.retry_delay, maxBackoffMs: cf.max_backoff, leaseTtlMs: cf.lease_ttl },
    budget: coordination.budget,
    lease: coordination.lease,
    holderId: deps.instanceId ?? instanceIdOf(config.state),
    tracker,
    log,
    events: deps.events,
    observer,
    timers,
    random,
  });
  reconciler.start();
  return reconciler;
}
