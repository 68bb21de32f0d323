import type { LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { EventLog } from '../events/event-log.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';
import type { Logger } from '../shared/logger.js';
import type { DnsProvider } from '../sync/dns-provider.js';
import type { CloudflareSync } from '../sync/reconciler.js';
import { startCloudflareSync, type SyncCoordination } from '../sync/start-sync.js';
import type { SyncSource } from '../sync/sync-input.js';
import type { SyncTimers } from '../sync/sync-timers.js';
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
 * the owner. A reload that changes `sync` stops the running sync (no provider call after its
 * stop() resolved) and starts one on the new settings, exactly as a restart would; the shared
 * budget and lease carry over unless the owner, budget or state settings changed.
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

  const coordinationFor = async (config: Config): Promise<SyncCoordination | undefined> => {
    if (config.state.store !== 'redis' || !config.sync?.cloudflare) return undefined;
    const key = coordinationKey(config);
    if (shared?.key === key) return shared.coordination;
    await shared?.coordination.close();
    const { createRedisSyncCoordination } = await import('../state/redis-sync-coordination.js');
    shared = { key, coordination: createRedisSyncCoordination(config.state, config.sync.cloudflare, { log: opts.log, env: opts.env }) };
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
