import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { SourcesConfig } from '../config/schema.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { sameEndpoints, type EndpointSource, type EndpointsListener, type RegionEndpoints, type SourceErrorListener } from './endpoint-source.js';
import { parseSelector } from './ingress-endpoints.js';
import { IngressWatcher, type WatchDelays } from './ingress-watcher.js';

/** The Ingress label every region is selected by unless its config says otherwise. */
export const DEFAULT_REGION_KEY = 'geosteer.io/region';

/** Per region a cluster (kubeconfig file + context), its Ingresses' load-balancer addresses as the region's endpoints. */
export class KubernetesSource implements EndpointSource {
  readonly kind = 'kubernetes';
  private readonly known = new Map<string, RegionEndpoints>();
  private readonly listeners = new Set<EndpointsListener>();
  private readonly watchers: IngressWatcher[] = [];

  /** Builds one watcher per region; throws GeosteerError naming the field when a kubeconfig or context is unusable. */
  constructor(
    config: NonNullable<SourcesConfig['kubernetes']>,
    log: Logger,
    onError: SourceErrorListener,
    delays: Partial<WatchDelays> = {},
  ) {
    const fullDelays: WatchDelays = { retryBaseMs: 1000, retryMaxMs: config.max_retry_interval, rewatchMs: 1000, ...delays };
    for (const [region, rc] of Object.entries(config.regions)) {
      const field = `sources.kubernetes.regions.${region}`;
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
      const selector = rc.selector
        ? 'label' in rc.selector
          ? parseSelector('label', rc.selector.label)
          : parseSelector('annotation', rc.selector.annotation)
        : { kind: 'label' as const, key: DEFAULT_REGION_KEY, value: region };
      const rlog = log.child({ source: 'kubernetes', region });
      this.watchers.push(
        new IngressWatcher({
          region,
          kubeconfig: kc,
          namespace: rc.namespace,
          selector,
          delays: fullDelays,
          log: rlog,
          onEndpoints: (endpoints) => this.update(region, endpoints),
          onError: (err) => {
            rlog.warn({ err: err.message }, 'kubernetes source failed; keeping the last known endpoints');
            onError('kubernetes', region, err);
          },
        }),
      );
    }
  }

  private update(region: string, endpoints: RegionEndpoints): void {
    if (sameEndpoints(this.known.get(region), endpoints)) return;
    this.known.set(region, endpoints);
    for (const l of this.listeners) l(region, endpoints);
  }

  current(): ReadonlyMap<string, RegionEndpoints> {
    return this.known;
  }

  onChange(listener: EndpointsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    for (const w of this.watchers) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
  }
}
