import type { Config } from '../config/schema.js';
import type { EventLog } from '../events/event-log.js';
import type { Logger } from '../shared/logger.js';
import type { RegionEndpoints } from '../steering/types.js';
import type { EndpointSource, SourceObserver } from './endpoint-source.js';
import type { ReadinessListener } from './readiness-source.js';
import type { WatchDelays } from './resource-watcher.js';

/** What startSources needs besides the config. */
export interface SourceDeps {
  readonly log: Logger;
  readonly events?: EventLog;
  readonly observer?: SourceObserver;
  readonly delays?: Partial<WatchDelays>;
  /** Every region's endpoints as the sources know them now, after each change (the control plane's endpoints input). */
  readonly onEndpoints: (all: ReadonlyMap<string, RegionEndpoints>, reason: string) => void;
  /** Each region's readiness from its cluster, on every change (the health tracker's readiness input). */
  readonly onReadiness?: ReadinessListener;
}

/**
 * Starts the configured dynamic sources (static endpoints are the config's) and reports
 * their endpoints. Errors go to the log, the geosteer_source_errors_total counter and a
 * `source_error` event; the last endpoints stay. Returns the started sources (empty when
 * none is configured). The Kubernetes client is loaded only when a Kubernetes source is
 * configured: it adds about 30 MB of heap.
 */
export async function startSources(config: Config, deps: SourceDeps): Promise<EndpointSource[]> {
  const k8s = config.sources?.kubernetes;
  if (!k8s) return [];
  const { KubernetesSource } = await import('./kubernetes-source.js');
  const source = new KubernetesSource(k8s, deps.log, (kind, region, err) => {
    deps.observer?.sourceFailed(kind, region);
    deps.events?.record({ type: 'source_error', cause: `${kind}: ${err.message}`, region });
  }, deps.delays);
  source.onChange((region, e) => {
    deps.observer?.sourceReported(source.kind, region, e.endpoints.length + (e.cname ? 1 : 0));
    deps.log.info({ source: source.kind, region, endpoints: e.endpoints.map((x) => x.address), cname: e.cname }, 'region endpoints from source');
    deps.onEndpoints(new Map(source.current()), `endpoints of ${region} from ${source.kind}`);
  });
  if (deps.onReadiness) {
    const listener = deps.onReadiness;
    source.onReadiness((region, r) => {
      deps.log.info({ source: source.kind, region, readiness: r.state, detail: r.detail }, 'region readiness from source');
      listener(region, r);
    });
  }
  await source.start();
  return [source];
}
