import { KubeConfig, NetworkingV1Api, Watch, type V1Ingress, type V1IngressList } from '@kubernetes/client-node';
import type { Logger } from '../shared/logger.js';
import type { RegionEndpoints } from './endpoint-source.js';
import { ingressEndpoints, selects, type IngressSelector } from './ingress-endpoints.js';

/** Delays of the list/watch loop; tests pass milliseconds. */
export interface WatchDelays {
  /** First wait after a failure; doubles per consecutive failure. */
  readonly retryBaseMs: number;
  /** Longest wait between attempts. */
  readonly retryMaxMs: number;
  /** Pause before re-opening a watch the server ended normally (keeps a closing server from spinning us). */
  readonly rewatchMs: number;
}

/** What one region's watcher needs. */
export interface IngressWatcherOptions {
  readonly region: string;
  readonly kubeconfig: KubeConfig;
  readonly namespace: string | undefined;
  readonly selector: IngressSelector;
  readonly delays: WatchDelays;
  readonly log: Logger;
  /** New endpoints (only when they changed and are not empty). */
  readonly onEndpoints: (endpoints: RegionEndpoints) => void;
  readonly onError: (err: Error) => void;
}

class Gone extends Error {}

/**
 * List, then watch from the list's resourceVersion, for one region's Ingresses; on any
 * failure report it, wait (bounded, doubling), and list again. The last published
 * endpoints stay until a successful list or watch says otherwise, and a result with no
 * addresses at all is not published (an empty region is never what an operator wants).
 */
export class IngressWatcher {
  private readonly objects = new Map<string, V1Ingress>();
  private resourceVersion = '';
  private stopped = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private endWatch: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly api: NetworkingV1Api;
  private readonly watch: Watch;
  private readonly path: string;

  constructor(private readonly opts: IngressWatcherOptions) {
    this.api = opts.kubeconfig.makeApiClient(NetworkingV1Api);
    this.watch = new Watch(opts.kubeconfig);
    this.path = opts.namespace ? `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(opts.namespace)}/ingresses` : '/apis/networking.k8s.io/v1/ingresses';
  }

  private get labelSelector(): string | undefined {
    return this.opts.selector.kind === 'label' ? `${this.opts.selector.key}=${this.opts.selector.value}` : undefined;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    // An aborted stream does not always reach the client's done callback: end the wait here.
    this.endWatch?.();
    this.wake?.();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.list();
        failures = 0;
        while (!this.stopped) {
          await this.watchOnce();
          if (!this.stopped) await this.sleep(this.opts.delays.rewatchMs);
        }
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof Gone) continue; // resourceVersion too old (410): list again at once
        failures++;
        this.opts.onError(err as Error);
        const { retryBaseMs, retryMaxMs } = this.opts.delays;
        await this.sleep(Math.min(retryBaseMs * 2 ** Math.min(failures - 1, 20), retryMaxMs));
      }
    }
  }

  private async list(): Promise<void> {
    const labelSelector = this.labelSelector;
    const list: V1IngressList = this.opts.namespace
      ? await this.api.listNamespacedIngress({ namespace: this.opts.namespace, labelSelector })
      : await this.api.listIngressForAllNamespaces({ labelSelector });
    this.objects.clear();
    for (const ing of list.items) this.objects.set(keyOf(ing), ing);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.publish();
  }

  /** One watch request; resolves when the server ends it normally, rejects on errors. */
  private watchOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let gone = false;
      this.endWatch = resolve;
      const query = { resourceVersion: this.resourceVersion, labelSelector: this.labelSelector, allowWatchBookmarks: true };
      this.watch
        .watch(
          this.path,
          query,
          (phase, obj: V1Ingress & { code?: number }) => {
            if (phase === 'ERROR') {
              if (obj.code === 410) gone = true;
              return;
            }
            if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
            if (phase === 'ADDED' || phase === 'MODIFIED') this.objects.set(keyOf(obj), obj);
            else if (phase === 'DELETED') this.objects.delete(keyOf(obj));
            else return; // BOOKMARK: only the resourceVersion moves
            this.publish();
          },
          (err: (Error & { statusCode?: number }) | null) => {
            if (gone || err?.statusCode === 410) reject(new Gone('resourceVersion expired'));
            // The client's own inactivity timeout: reconnect from the last resourceVersion.
            else if (err && err.name !== 'TimeoutError' && !this.stopped) reject(err);
            else resolve();
          },
        )
        .then((controller) => {
          this.abort = controller;
          if (this.stopped) controller.abort();
        }, reject);
    });
  }

  private last: RegionEndpoints | undefined;

  private publish(): void {
    const selected = [...this.objects.values()].filter((i) => this.opts.selector.kind === 'label' || selects(this.opts.selector, i));
    const next = ingressEndpoints(selected);
    if (next === undefined) {
      if (this.last !== undefined) this.opts.log.warn({ region: this.opts.region }, 'kubernetes source: no Ingress of the region has an address; keeping the last known endpoints');
      return;
    }
    this.last = next;
    this.opts.onEndpoints(next);
  }
}

function keyOf(ing: V1Ingress): string {
  return `${ing.metadata?.namespace ?? ''}/${ing.metadata?.name ?? ''}`;
}
