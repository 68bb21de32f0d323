import type { LoadedConfig } from '../config/load.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { EventLog } from '../events/event-log.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';
import type { Logger } from '../shared/logger.js';
import type { DnsProvider } from '../sync/cloudflare/dns-provider.js';
import type { Reconciler } from '../sync/cloudflare/reconciler.js';
import { startCloudflareSync } from '../sync/start-sync.js';
import type { SyncSource } from '../sync/sync-input.js';
import { sectionChanged } from './restart-only.js';
import type { Subsystem } from './subsystem.js';

/** The Cloudflare sync as an output of the control plane; `current()` is what GET /v1/sync reads. */
export interface SyncOutput extends Subsystem {
  current(): Reconciler | undefined;
}

/** The control plane as the sync's source: the current snapshot, and every new one. */
export function syncSourceOf(control: ControlPlane): SyncSource {
  return { current: () => control.current(), subscribe: (listener) => control.subscribe((c) => listener(c.snapshot)) };
}

/**
 * Publishes snapshots to Cloudflare (when sync.cloudflare is configured). A reload that
 * changes `sync` stops the running sync (its stop() waits for a run in progress) and starts
 * one on the new settings, exactly as a restart would.
 */
export function syncOutput(opts: { control: ControlPlane; config: () => LoadedConfig; log: Logger; events: EventLog; metrics: SyncMetrics; env: NodeJS.ProcessEnv; provider?: DnsProvider; retryDelayMs?: number }): SyncOutput {
  const source = syncSourceOf(opts.control);
  let running: Reconciler | undefined;
  const start = async (loaded: LoadedConfig) => {
    running = await startCloudflareSync(loaded.config, source, { log: opts.log, events: opts.events, metrics: opts.metrics, env: opts.env, provider: opts.provider, retryDelayMs: opts.retryDelayMs });
  };
  const stop = async () => {
    await running?.stop();
    running = undefined;
  };
  return {
    name: 'sync',
    start: () => start(opts.config()),
    stop,
    async reload(next, previous) {
      if (!sectionChanged(previous.config, next.config, (c) => c.sync)) return;
      await stop();
      await start(next);
    },
    current: () => running,
  };
}
