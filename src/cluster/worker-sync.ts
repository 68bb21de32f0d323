import type { ControlPlane } from '../control/control-plane.js';
import type { Snapshot } from '../control/snapshot.js';
import type { MmdbGeoDatabase } from '../geo/mmdb-geo-database.js';
import { healthToWire, overridesOf, type WorkerUpdate } from './worker-update.js';

/** A worker as the sync sees it: something to send updates to. */
export interface WorkerTarget {
  send(message: WorkerUpdate): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

interface Sent {
  config: unknown;
  geoGeneration: number;
}

/**
 * The primary's side of the channel: after every compile of its control plane it sends each
 * worker one full update (idempotent; a worker that missed one catches up with the next), so
 * a worker applies it as one patch and compiles once. The config and the GeoIP bytes are only
 * sent to a worker that does not have them yet.
 */
export class WorkerSync {
  private seq = 0;
  private readonly targets = new Map<WorkerTarget, Sent>();
  private readonly unsubscribe: () => void;

  constructor(private readonly control: ControlPlane) {
    this.unsubscribe = control.subscribe(() => this.broadcast());
  }

  /** The update for one worker, given what it has been sent so far. */
  private updateFor(snapshot: Snapshot, sent: Sent): WorkerUpdate {
    const { inputs } = snapshot;
    const geo = inputs.geo.db as MmdbGeoDatabase;
    const update: WorkerUpdate = {
      type: 'geosteer:update',
      seq: ++this.seq,
      config: sent.config === inputs.config ? undefined : inputs.config,
      overrides: overridesOf(inputs.overrides),
      health: healthToWire(inputs.health, inputs),
      endpoints: new Map(inputs.endpoints),
      geoip: { generation: inputs.geo.generation, path: geo.info.path, bytes: sent.geoGeneration === inputs.geo.generation ? undefined : geo.bytes },
    };
    sent.config = inputs.config;
    sent.geoGeneration = inputs.geo.generation;
    return update;
  }

  /**
   * Starts sending to `worker` once it says hello: an ESM worker registers its message handler
   * only after its imports load, and IPC messages sent before that are lost.
   */
  add(worker: WorkerTarget): void {
    worker.on('message', (message) => {
      if ((message as { type?: unknown } | null)?.type !== 'geosteer:hello') return;
      const sent: Sent = { config: undefined, geoGeneration: 0 };
      this.targets.set(worker, sent);
      worker.send(this.updateFor(this.control.current(), sent));
    });
  }

  remove(worker: WorkerTarget): void {
    this.targets.delete(worker);
  }

  private broadcast(): void {
    const snapshot = this.control.current();
    for (const [t, sent] of this.targets) t.send(this.updateFor(snapshot, sent));
  }

  close(): void {
    this.unsubscribe();
    this.targets.clear();
  }
}
