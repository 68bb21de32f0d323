import type { KubeConfig, KubernetesObject, V1EndpointSlice } from '@kubernetes/client-node';
import type { Logger } from '../shared/logger.js';
import { backendReadiness, servicesWithReadyEndpoints, type ReadinessRequirement } from './backend-readiness.js';
import { sameEndpoints, type RegionEndpoints } from './endpoint-source.js';
import { regionEndpoints } from './load-balancer-addresses.js';
import type { RegionReadiness } from './readiness-source.js';
import { readinessKinds, REGION_RESOURCES, type RegionResource, type RegionResourceName } from './region-resources.js';
import { resourceName, type HttpRoute, type ResourceKind } from './resource-kinds.js';
import { ResourceWatcher, type WatchDelays } from './resource-watcher.js';
import { labelSelectorOf, selects, type ObjectSelector } from './selector.js';

/** The readiness option of a region: how many backing Services must be ready, and how long a failing API keeps the last value. */
export interface ReadinessOptions {
  readonly require: ReadinessRequirement;
  /** After the API has failed this long, readiness is unknown instead of the last value (ms). */
  readonly unknownAfterMs: number;
}

/** What one region's watch needs. */
export interface RegionWatchOptions {
  readonly region: string;
  readonly kubeconfig: KubeConfig;
  readonly namespace: string | undefined;
  readonly selector: ObjectSelector;
  readonly resources: readonly RegionResourceName[];
  /** Undefined: no readiness signal (no EndpointSlice or HTTPRoute watch). */
  readonly readiness: ReadinessOptions | undefined;
  readonly delays: WatchDelays;
  readonly now: () => number;
  readonly log: Logger;
  /** New endpoints (only when they changed and are not empty). */
  readonly onEndpoints: (endpoints: RegionEndpoints) => void;
  /** New readiness (only when state or detail changed). */
  readonly onReadiness: (readiness: RegionReadiness) => void;
  readonly onError: (err: Error) => void;
}

interface Selected {
  readonly resource: RegionResource;
  readonly watcher: ResourceWatcher<KubernetesObject>;
}

/**
 * One region's cluster view: a watcher per configured resource kind (plus EndpointSlices,
 * and HTTPRoutes for Gateways, when readiness is on), combined into the region's endpoints
 * and readiness. Endpoints are published once every kind has listed or failed (so a
 * missing CRD does not hold the others back), never empty.
 */
export class RegionWatch {
  private readonly selected: Selected[];
  private readonly slices: ResourceWatcher<V1EndpointSlice> | undefined;
  private readonly routes: ResourceWatcher<HttpRoute> | undefined;
  private lastEndpoints: RegionEndpoints | undefined;
  private warnedEmpty = false;
  private lastReadiness: RegionReadiness | undefined;

  constructor(private readonly opts: RegionWatchOptions) {
    const watcher = <T extends KubernetesObject>(kind: ResourceKind<T>, labelSelector: string | undefined) =>
      new ResourceWatcher<T>({
        kind,
        kubeconfig: opts.kubeconfig,
        namespace: opts.namespace,
        labelSelector,
        delays: opts.delays,
        now: opts.now,
        onChange: () => this.changed(),
        onError: (err) => {
          opts.onError(err);
          this.changed();
        },
      });
    this.selected = opts.resources.map((name) => {
      const resource = REGION_RESOURCES[name] as RegionResource;
      return { resource, watcher: watcher(resource.kind, labelSelectorOf(opts.selector)) };
    });
    if (opts.readiness) {
      // Every EndpointSlice the EndpointSlice controller manages carries this label; filtering by Service happens here.
      const { slices, routes } = readinessKinds(opts.resources);
      this.slices = watcher(slices, 'kubernetes.io/service-name');
      this.routes = routes && watcher(routes, undefined);
      this.lastReadiness = { state: 'unknown', detail: 'waiting for the first lists' };
    }
  }

  /** Last readiness (undefined when the option is off). */
  get readiness(): RegionReadiness | undefined {
    return this.lastReadiness;
  }

  private get watchers(): ResourceWatcher<KubernetesObject>[] {
    return [...this.selected.map((s) => s.watcher), ...(this.slices ? [this.slices] : []), ...(this.routes ? [this.routes] : [])] as ResourceWatcher<KubernetesObject>[];
  }

  start(): void {
    for (const w of this.watchers) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
  }

  private changed(): void {
    this.publishEndpoints();
    this.publishReadiness();
  }

  /** The region's objects of one kind: selected (annotations are matched here) and accepted by the kind. */
  private objectsOf({ resource, watcher }: Selected): KubernetesObject[] {
    const { selector } = this.opts;
    return [...watcher.items.values()].filter((o) => (selector.kind === 'label' || selects(selector, o)) && resource.accepts(o));
  }

  private publishEndpoints(): void {
    if (!this.selected.every((s) => s.watcher.synced || s.watcher.failingSince !== undefined)) return;
    const next = regionEndpoints(this.selected.flatMap((s) => this.objectsOf(s).flatMap((o) => s.resource.addresses(o))));
    if (next === undefined) {
      if (this.lastEndpoints !== undefined && !this.warnedEmpty) {
        this.opts.log.warn({ region: this.opts.region }, `kubernetes source: no ${this.opts.resources.join('/')} of the region has an address; keeping the last known endpoints`);
      }
      this.warnedEmpty = true;
      return;
    }
    this.warnedEmpty = false;
    if (sameEndpoints(this.lastEndpoints, next)) return;
    this.lastEndpoints = next;
    this.opts.onEndpoints(next);
  }

  private publishReadiness(): void {
    const options = this.opts.readiness;
    if (!options || !this.slices) return;
    const next = this.evaluateReadiness(options, this.slices);
    if (this.lastReadiness && next.state === this.lastReadiness.state && next.detail === this.lastReadiness.detail) return;
    this.lastReadiness = next;
    this.opts.onReadiness(next);
  }

  private evaluateReadiness(options: ReadinessOptions, slices: ResourceWatcher<V1EndpointSlice>): RegionReadiness {
    const watchers = this.watchers;
    const waiting = watchers.filter((w) => !w.synced);
    if (waiting.length > 0) {
      const err = waiting.find((w) => w.lastError)?.lastError;
      return { state: 'unknown', detail: `waiting for the first list of ${waiting.map((w) => resourceName(w.kind)).join(', ')}${err ? `; ${err.message}` : ''}` };
    }
    const now = this.opts.now();
    const stale = watchers.find((w) => w.failingSince !== undefined && now - w.failingSince >= options.unknownAfterMs);
    if (stale) return { state: 'unknown', detail: `API failing for ${options.unknownAfterMs / 1000} s or more; ${stale.lastError?.message}` };
    const routes = [...(this.routes?.items.values() ?? [])];
    const backends = this.selected.flatMap((s) => this.objectsOf(s).flatMap((o) => s.resource.backends(o, routes)));
    return backendReadiness(backends, servicesWithReadyEndpoints(slices.items.values()), options.require, this.opts.namespace);
  }
}
