import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { collectionPath, resourceName, type Lister, type ResourceKind } from './resource-kinds.js';

/** Delays of the list/watch loop; tests pass milliseconds. */
export interface WatchDelays {
  /** First wait after a failure; doubles per consecutive failure. */
  readonly retryBaseMs: number;
  /** Longest wait between attempts. */
  readonly retryMaxMs: number;
  /** Pause before re-opening a watch the server ended normally (keeps a closing server from spinning us). */
  readonly rewatchMs: number;
}

/** What one watcher needs: the kind, where to look, and whom to tell. */
export interface ResourceWatcherOptions<T extends KubernetesObject> {
  readonly kind: ResourceKind<T>;
  readonly kubeconfig: KubeConfig;
  readonly namespace: string | undefined;
  readonly labelSelector: string | undefined;
  readonly delays: WatchDelays;
  /** Milliseconds clock for failingSince. */
  readonly now: () => number;
  /** The objects changed: after every successful list and every ADDED/MODIFIED/DELETED event. */
  readonly onChange: () => void;
  /** A list or watch failed; the objects stay as they were. */
  readonly onError: (err: Error) => void;
}

class Gone extends Error {}

/**
 * List, then watch from the list's resourceVersion (with bookmarks), for one kind; on any
 * failure report it, wait (bounded, doubling), and list again; on 410 Gone list again at
 * once. The objects stay as last seen until a successful list or watch event changes them,
 * so a failing API server never empties what the region publishes.
 */
export class ResourceWatcher<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private resourceVersion = '';
  private stopped = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private endWatch: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly list: Lister<T>;
  private readonly watch: Watch;
  private readonly path: string;
  /** A list has succeeded at least once. */
  synced = false;
  /** Start of the current run of failures (opts.now); undefined once a list succeeds. */
  failingSince: number | undefined;
  /** The most recent failure, for readiness details. */
  lastError: Error | undefined;

  constructor(private readonly opts: ResourceWatcherOptions<T>) {
    this.list = opts.kind.makeLister(opts.kubeconfig);
    this.watch = new Watch(opts.kubeconfig);
    this.path = collectionPath(opts.kind, opts.namespace);
  }

  /** The kind this watcher lists and watches. */
  get kind(): ResourceKind<T> {
    return this.opts.kind;
  }

  /** The objects as last listed or watched, by namespace/name. */
  get items(): ReadonlyMap<string, T> {
    return this.objects;
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
        await this.relist();
        failures = 0;
        while (!this.stopped) {
          await this.watchOnce();
          if (!this.stopped) await this.sleep(this.opts.delays.rewatchMs);
        }
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof Gone) continue; // resourceVersion too old (410): list again at once
        failures++;
        this.lastError = err as Error;
        this.failingSince ??= this.opts.now();
        this.opts.onError(err as Error);
        const { retryBaseMs, retryMaxMs } = this.opts.delays;
        await this.sleep(Math.min(retryBaseMs * 2 ** Math.min(failures - 1, 20), retryMaxMs));
      }
    }
  }

  private async relist(): Promise<void> {
    let list;
    try {
      list = await this.list(this.opts.namespace, this.opts.labelSelector);
    } catch (err) {
      throw failure('list', this.opts.kind, err);
    }
    if (this.stopped) return;
    this.objects.clear();
    for (const obj of list.items) this.objects.set(keyOf(obj), obj);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.synced = true;
    this.failingSince = undefined;
    this.opts.onChange();
  }

  /** One watch request; resolves when the server ends it normally, rejects on errors. */
  private watchOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let serverError: Error | undefined;
      this.endWatch = resolve;
      const query = { resourceVersion: this.resourceVersion, labelSelector: this.opts.labelSelector, allowWatchBookmarks: true };
      this.watch
        .watch(
          this.path,
          query,
          (phase: string, obj: T & { code?: number; message?: string }) => {
            if (phase === 'ERROR') {
              // The server ends the stream with a Status: 410 when our resourceVersion was compacted.
              serverError = obj.code === 410 ? new Gone('resourceVersion expired') : failure('watch', this.opts.kind, { statusCode: obj.code, message: obj.message });
              return;
            }
            if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
            if (phase === 'ADDED' || phase === 'MODIFIED') this.objects.set(keyOf(obj), obj);
            else if (phase === 'DELETED') this.objects.delete(keyOf(obj));
            else return; // BOOKMARK: only the resourceVersion moves
            this.opts.onChange();
          },
          (err: (Error & { statusCode?: number }) | null) => {
            if (serverError) reject(serverError);
            else if (err?.statusCode === 410) reject(new Gone('resourceVersion expired'));
            // The client's own inactivity timeout: reconnect from the last resourceVersion.
            else if (err && err.name !== 'TimeoutError' && !this.stopped) reject(failure('watch', this.opts.kind, err));
            else resolve();
          },
        )
        .then((controller) => {
          this.abort = controller;
          if (this.stopped) controller.abort();
        }, reject);
    });
  }
}

function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** The API server's own message from an ApiException body (a Status object or its JSON). */
function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body === '' ? undefined : body;
    }
  }
  const message = (body as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** An error that names the call, the resource, the HTTP status and what to fix. */
function failure(verb: 'list' | 'watch', kind: ResourceKind<KubernetesObject>, err: unknown): Error {
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown; message?: string; cause?: { message?: string } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.code === 'number' ? e.code : undefined;
  const name = resourceName(kind);
  let text: string;
  if (status === undefined) text = `${e.message ?? String(err)}${e.cause?.message ? ` (${e.cause.message})` : ''}`;
  else {
    // ApiException's message is "HTTP-Code: ...\nMessage: ...\nBody: ...\nHeaders: ..."; the Watch's is the status text.
    const said = statusMessage(e.body) ?? /^Message: (.*)$/m.exec(e.message ?? '')?.[1] ?? (e.body === undefined ? e.message : undefined);
    text = `HTTP ${status}${said ? `: ${said}` : ''}`;
    if (status === 401) text += '; the API server refused the kubeconfig credentials';
    else if (status === 403) text += `; grant list and watch on ${name} (see RBAC in src/sources/README.md)`;
    else if (status === 404) text += kind.group === 'gateway.networking.k8s.io' ? `; is the Gateway API (${kind.group}/${kind.version}) installed in the cluster?` : `; the API server does not serve ${name}`;
  }
  return new Error(`${verb} ${name}: ${text}`, { cause: err });
}
