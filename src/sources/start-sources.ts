import type { App } from '../app.js';
import type { EventLog } from '../events/event-log.js';
import type { Logger } from '../shared/logger.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';
import type { EndpointSource } from './endpoint-source.js';
import type { WatchDelays } from './ingress-watcher.js';

/** What startSources needs besides the app. */
export interface SourceDeps {
  readonly log: Logger;
  readonly events?: EventLog;
  readonly metrics?: SyncMetrics;
  readonly delays?: Partial<WatchDelays>;
}

/**
 * Starts the configured dynamic sources (static endpoints are the config's, already in the
 * app) and feeds their endpoints into the app. Errors go to the log, the
 * geosteer_source_errors_total counter and a `source_error` event; the app keeps the last
 * endpoints. Returns the started sources (empty when none is configured). The Kubernetes
 * client is loaded only when a Kubernetes source is configured: it adds about 30 MB of heap.
 */
export async function startSources(app: App, deps: SourceDeps): Promise<EndpointSource[]> {
  const k8s = app.config.config.sources?.kubernetes;
  if (!k8s) return [];
  const { KubernetesSource } = await import('./kubernetes-source.js');
  const source = new KubernetesSource(k8s, deps.log, (kind, region, err) => {
    deps.metrics?.sourceErrors.inc({ source: kind, region });
    deps.events?.record({ type: 'source_error', cause: `${kind}: ${err.message}`, region });
  }, deps.delays);
  source.onChange((region, e) => {
    deps.metrics?.sourceEndpoints.set({ source: source.kind, region }, e.endpoints.length + (e.cname ? 1 : 0));
    deps.log.info({ source: source.kind, region, endpoints: e.endpoints.map((x) => x.address), cname: e.cname }, 'region endpoints from source');
    app.setRegionEndpoints(region, e.endpoints, e.cname);
  });
  await source.start();
  return [source];
}
