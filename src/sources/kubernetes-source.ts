import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesRegionSourceConfig, SourcesConfig } from '../config/schema.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { sameEndpoints, type EndpointSource, type EndpointsListener, type RegionEndpoints, type SourceErrorListener } from './endpoint-source.js';
import type { ReadinessListener, ReadinessSource, RegionReadiness } from './readiness-source.js';
import { RegionWatch } from './region-watch.js';
import type { WatchDelays } from './resource-watcher.js';
import { parseSelector, type ObjectSelector } from './selector.js';

/** The label every region's objects are selected by unless its config says otherwise. */
export const DEFAULT_REGION_KEY = 'geosteer.io/region';

/** The kubeconfig of one region, loaded and switched to its context; throws GeosteerError naming the field. */
function loadKubeConfig(field: string, rc: KubernetesRegionSourceConfig): KubeConfig {
  if (!existsSync(rc.kubeconfig)) throw new GeosteerError('CONFIG_INVALID', `${field}.kubeconfig: ${rc.kubeconfig} does not exist; point it at the region's kubeconfig file`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(rc.kubeconfig);
  } catch (err) {
    throw new GeosteerError('CONFIG_INVALID', `${field}.kubeconfig: ${rc.kubeconfig}: ${(err as Error).message}`, { cause: err });
  }
  if (rc.context !== undefined) {
    if (!kc.getContextObject(rc.context)) {
      throw new GeosteerError('CONFIG_INVALID', `${field}.context: no context ${JSON.stringify(rc.context)} in ${rc.kubeconfig}; contexts: ${kc.getContexts().map((c) => c.name).join(', ')}`);
    }
    kc.setCurrentContext(rc.context);
  }
  if (!kc.getCurrentCluster()) throw new GeosteerError('CONFIG_INVALID', `${field}: ${rc.kubeconfig} has no current cluster; set context`);
  return kc;
}

function selectorOf(region: string, rc: KubernetesRegionSourceConfig): ObjectSelector {
  if (rc.selector?.label !== undefined) return parseSelector('label', rc.selector.label);
  if (rc.selector?.annotation !== undefined) return parseSelector('annotation', rc.selector.annotation);
  return { kind: 'label', key: DEFAULT_REGION_KEY, value: region };
}

/**
 * Per region one cluster (kubeconfig file + context): the load-balancer addresses of its
 * Ingresses, LoadBalancer Services and/or Gateways as the region's endpoints, and, where
 * configured, whether their backing Services have ready endpoints.
 */
export class KubernetesSource implements EndpointSource, ReadinessSource {
  readonly kind = 'kubernetes';
  private readonly known = new Map<string, RegionEndpoints>();
  private readonly ready = new Map<string, RegionReadiness>();
  private readonly listeners = new Set<EndpointsListener>();
  private readonly readinessListeners = new Set<ReadinessListener>();
  private readonly regions: RegionWatch[] = [];

  /** Builds one watch per region; throws GeosteerError naming the field when a kubeconfig or context is unusable. `now` is the clock readiness ages by. */
  constructor(
    config: NonNullable<SourcesConfig['kubernetes']>,
    log: Logger,
    onError: SourceErrorListener,
    delays: Partial<WatchDelays> = {},
    now: () => number = Date.now,
  ) {
    const fullDelays: WatchDelays = { retryBaseMs: 1000, retryMaxMs: config.max_retry_interval, rewatchMs: 1000, ...delays };
    for (const [region, rc] of Object.entries(config.regions)) {
      const field = `sources.kubernetes.regions.${region}`;
      const kubeconfig = loadKubeConfig(field, rc);
      const rlog = log.child({ source: 'kubernetes', region });
      const watch = new RegionWatch({
        region,
        kubeconfig,
        namespace: rc.namespace,
        selector: selectorOf(region, rc),
        resources: rc.resources,
        readiness: rc.readiness && { require: rc.readiness.require, unknownAfterMs: rc.readiness.unknown_after },
        delays: fullDelays,
        now,
        log: rlog,
        onEndpoints: (endpoints) => this.update(region, endpoints),
        onReadiness: (readiness) => this.updateReadiness(region, readiness),
        onError: (err) => {
          rlog.warn({ err: err.message }, 'kubernetes source failed; keeping the last known endpoints');
          onError('kubernetes', region, err);
        },
      });
      if (watch.readiness) this.ready.set(region, watch.readiness);
      this.regions.push(watch);
    }
  }

  private update(region: string, endpoints: RegionEndpoints): void {
    if (sameEndpoints(this.known.get(region), endpoints)) return;
    this.known.set(region, endpoints);
    for (const l of this.listeners) l(region, endpoints);
  }

  private updateReadiness(region: string, readiness: RegionReadiness): void {
    this.ready.set(region, readiness);
    for (const l of this.readinessListeners) l(region, readiness);
  }

  current(): ReadonlyMap<string, RegionEndpoints> {
    return this.known;
  }

  onChange(listener: EndpointsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readiness(): ReadonlyMap<string, RegionReadiness> {
    return this.ready;
  }

  onReadiness(listener: ReadinessListener): () => void {
    this.readinessListeners.add(listener);
    return () => this.readinessListeners.delete(listener);
  }

  async start(): Promise<void> {
    for (const r of this.regions) r.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.regions.map((r) => r.stop()));
  }
}
