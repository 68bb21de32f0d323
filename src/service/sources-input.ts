import type { LoadedConfig } from '../config/load.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { EventLog } from '../events/event-log.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';
import type { Logger } from '../shared/logger.js';
import type { EndpointSource } from '../sources/endpoint-source.js';
import type { WatchDelays } from '../sources/resource-watcher.js';
import type { ReadinessListener } from '../sources/readiness-source.js';
import { startSources } from '../sources/start-sources.js';
import { sectionChanged } from './restart-only.js';
import type { Subsystem } from './subsystem.js';

/**
 * Dynamic endpoint sources (Kubernetes) as an input: every change of what they report goes to
 * the control plane. A reload that changes `sources` restarts them; regions they no longer
 * feed go back to their configured endpoints.
 */
export function sourcesInput(opts: {
  control: ControlPlane;
  config: () => LoadedConfig;
  log: Logger;
  events: EventLog;
  metrics: SyncMetrics;
  delays?: Partial<WatchDelays>;
  /** Where each region's cluster readiness goes (the health service). */
  onReadiness: ReadinessListener;
}): Subsystem {
  const { control } = opts;
  let sources: EndpointSource[] = [];
  /** Regions whose readiness was reported: a stopped source holds none of them down any more. */
  const judged = new Set<string>();
  const start = async (loaded: LoadedConfig) => {
    sources = await startSources(loaded.config, {
      log: opts.log,
      events: opts.events,
      observer: opts.metrics,
      delays: opts.delays,
      onEndpoints: (all, reason) => void control.update({ endpoints: all }, reason),
      onReadiness: (region, r) => {
        judged.add(region);
        opts.onReadiness(region, r);
      },
    });
  };
  const stop = async () => {
    await Promise.all(sources.map((s) => s.stop()));
    sources = [];
    for (const region of judged) opts.onReadiness(region, { state: 'unknown', detail: 'source stopped' });
    judged.clear();
  };
  return {
    name: 'sources',
    start: () => start(opts.config()),
    stop,
    async reload(next, previous) {
      if (!sectionChanged(previous.config, next.config, (c) => c.sources)) return;
      await stop();
      const fed = new Set(Object.keys(next.config.sources?.kubernetes?.regions ?? {}));
      const kept = new Map([...control.current().inputs.endpoints].filter(([region]) => fed.has(region)));
      await control.update({ endpoints: kept }, 'sources changed by a reload');
      await start(next);
    },
  };
}
