import type { App } from '../app.js';
import { stateToWire, healthToWire, type WorkerUpdate } from './worker-update.js';

/**
 * The primary's side of the channel: after every App rebuild (state change, health change,
 * config reload) it sends each worker a full WorkerUpdate. Full updates, not diffs: they are
 * a few kilobytes, idempotent, and a worker that missed one catches up with the next.
 */
export class WorkerSync {
  private seq = 0;
  private geoGeneration = 0;
  private readonly targets = new Set<{ send(message: WorkerUpdate): unknown }>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly app: App,
    /** The source text of the config the App runs now (workers parse it themselves). */
    private readonly configText: () => string,
    private readonly geoipPath: string,
  ) {
    this.unsubscribe = app.onRebuild(() => this.broadcast());
  }

  /** The update describing the primary's App right now. */
  current(): WorkerUpdate {
    const { model, source } = this.app.config;
    return {
      type: 'geosteer:update',
      seq: ++this.seq,
      configSource: source,
      configText: this.configText(),
      state: stateToWire(this.app.state.current()),
      health: healthToWire(this.app.healthView(), model),
      endpoints: [...this.app.sourcedEndpoints()].map(([region, e]) => [region, { endpoints: [...e.endpoints], cname: e.cname }]),
      geoip: { path: this.geoipPath, generation: this.geoGeneration },
    };
  }

  /**
   * Starts sending to `worker` (a cluster Worker) once it says hello: an ESM worker registers
   * its message handler only after its imports load, and IPC messages sent before that are lost.
   */
  add(worker: { send(message: WorkerUpdate): unknown; on(event: 'message', listener: (message: unknown) => void): unknown }): void {
    worker.on('message', (message) => {
      if ((message as { type?: unknown } | null)?.type !== 'geosteer:hello') return;
      this.targets.add(worker);
      worker.send(this.current());
    });
  }

  remove(target: { send(message: WorkerUpdate): unknown }): void {
    this.targets.delete(target);
  }

  /** Tells workers to reopen the GeoIP database (the primary's watcher saw a new file). */
  geoDatabaseChanged(): void {
    this.geoGeneration++;
    this.broadcast();
  }

  private broadcast(): void {
    if (this.targets.size === 0) return;
    const update = this.current();
    for (const t of this.targets) t.send(update);
  }

  close(): void {
    this.unsubscribe();
    this.targets.clear();
  }
}
