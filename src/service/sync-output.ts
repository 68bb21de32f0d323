import type { LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { EventLog } from '../events/event-log.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';
import type { Logger } from '../shared/logger.js';
import type { DnsProvider } from '../sync/dns-provider.js';
import type { CloudflareSync } from '../sync/reconciler.js';
import { memoryCoordination, startCloudflareSync, type SyncCoordination } from '../sync/start-sync.js';
import type { SyncSource } from '../sync/sync-input.js';
import { REAL_TIMERS, type SyncTimers } from '../sync/sync-timers.js';
import { sectionChanged } from './restart-only.js';
import type { Subsystem } from './subsystem.js';

/** The Cloudflare sync as an output of the control plane; `current()` is what GET /v1/sync reads. */
export interface SyncOutput extends Subsystem {
  current(): CloudflareSync | undefined;
}

/** The control plane as the sync's source: the current snapshot, and every new one. */
export function syncSourceOf(control: ControlPlane): SyncSource {
  return { current: () => control.current(), subscribe: (listener) => control.subscribe((c) => listener(c.snapshot)) };
}

/** What the shared budget and lease depend on: where state lives, whose lease, which budget. */
function coordinationKey(config: Config): string {
  const cf = config.sync?.cloudflare;
  return JSON.stringify([config.state, cf?.owner_id, cf?.budget]);
}

/**
 * Publishes snapshots to Cloudflare (when sync.cloudflare is configured). With state.store:
 * redis the request budget and the writer lease are shared through Redis by every instance of
 * the owner; in memory they are this process's. A reload that changes `sync` stops the
 * running sync (no provider call after its stop() resolved) and starts one on the new
 * settings, exactly as a restart would; the budget and lease carry over unless the owner,
 * budget or state settings changed.
 */
export function syncOutput(opts: {
  control: ControlPlane;
  config: () => LoadedConfig;
  log: Logger;
  events: EventLog;
  metrics: SyncMetrics;
  env: NodeJS.ProcessEnv;
  provider?: DnsProvider;
  timers?: SyncTimers;
}): SyncOutput {
  const source = syncSourceOf(opts.control);
  let running: CloudflareSync | undefined;
  let shared: { key: string; coordination: SyncCoordination & { close(): Promise<void> } } | undefined;

  // Kept across reloads in memory too: a new bucket would refill the burst and forget a
  // Retry-After block that Cloudflare still enforces on the token.
  const coordinationFor = async (config: Config): Promise<SyncCoordination | undefined> => {
    if (!config.sync?.cloudflare) return undefined;
    const key = coordinationKey(config);
    if (shared?.key === key) return shared.coordination;
    await shared?.coordination.close();
    if (config.state.store === 'redis') {
      const { createRedisSyncCoordination } = await import('../state/redis-sync-coordination.js');
      shared = { key, coordination: createRedisSyncCoordination(config.state, config.sync.cloudflare, { log: opts.log, env: opts.env }) };
    } else {
      const timers = opts.timers ?? REAL_TIMERS;
      shared = { key, coordination: { ...memoryCoordination(config, () => timers.now()), close: async () => {} } };
    }
    return shared.coordination;
  };
  const start = async (loaded: LoadedConfig) => {
    running = await startCloudflareSync(loaded.config, source, {
      log: opts.log,
      events: opts.events,
      observer: opts.metrics,
      env: opts.env,
      provider: opts.provider,
      timers: opts.timers,
      coordination: await coordinationFor(loaded.config),
    });
  };
  const stop = async () => {
    await running?.stop();
    running = undefined;
  };
  return {
    name: 'sync',
    start: () => start(opts.config()),
    async stop() {
      await stop();
      await shared?.coordination.close();
      shared = undefined;
    },
    async reload(next, previous) {
      if (!sectionChanged(previous.config, next.config, (c) => c.sync)) return;
      await stop();
      await start(next);
    },
    current: () => running,
  };
}
