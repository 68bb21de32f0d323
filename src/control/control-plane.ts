import type { EventLog } from '../events/event-log.js';
import type { LocatorStats } from '../geo/client-locator.js';
import type { Logger } from '../shared/logger.js';
import { steeringTransitions, type SteeringTransition } from '../steering/transitions.js';
import type { ControlInputs, InputPatch } from './inputs.js';
import { sameOverrides, sameSourcedEndpoints, sameStatus } from './input-equality.js';
import { overrideChanges } from './override-changes.js';
import { compileSnapshot, statusOf, type Snapshot } from './snapshot.js';

/** What subscribers are told after a swap: the new snapshot, the one it replaced, and what moved. */
export interface SnapshotChange {
  readonly snapshot: Snapshot;
  readonly previous: Snapshot;
  /** Every steering transition of the swap (one per rule whose answers moved). */
  readonly transitions: readonly SteeringTransition[];
  /** Why: the reasons of every update folded into this compile. */
  readonly reason: string;
}

/** What a control plane is built with. */
export interface ControlPlaneOptions {
  readonly log: Logger;
  /** Where transitions are recorded; absent in DNS workers (the primary records them, once). */
  readonly events?: EventLog;
  /** Milliseconds since the epoch; for the response rate limiter. */
  readonly clock?: () => number;
  /** Where the geo caches of successive databases count hits and misses (metrics read it). */
  readonly geoStats?: LocatorStats;
}

/**
 * The one owner of "inputs -> snapshot". Every input change arrives as update(patch, reason);
 * the patches of one tick fold into one compile, one swap, one set of transitions (recorded
 * once) and one notification of the subscribers. A patch that changes nothing answers depend
 * on compiles nothing.
 */
export class ControlPlane {
  private snapshot: Snapshot;
  private pending: InputPatch | undefined;
  private reasons: string[] = [];
  private waiters: { resolve: (s: Snapshot) => void; reject: (e: unknown) => void }[] = [];
  private readonly listeners = new Set<(change: SnapshotChange) => void>();
  private compileCount = 1;
  private readonly clock: () => number;
  /** Geo cache hits and misses of every database this control plane served from. */
  readonly geoStats: LocatorStats;

  constructor(
    initial: ControlInputs,
    private readonly opts: ControlPlaneOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.geoStats = opts.geoStats ?? { hits: 0, misses: 0 };
    const { model, status } = statusOf(initial);
    this.snapshot = compileSnapshot(initial, model, status, { generation: 1, previous: undefined, clock: this.clock, geoStats: this.geoStats });
  }

  /** The snapshot answers come from now. */
  current(): Snapshot {
    return this.snapshot;
  }

  /** Snapshots compiled so far, the first included (an update that changes nothing compiles nothing). */
  get compiles(): number {
    return this.compileCount;
  }

  /** Replaces some inputs; resolves with the snapshot that includes them (shared by every update of the tick). */
  update(patch: InputPatch, reason: string): Promise<Snapshot> {
    this.pending = { ...this.pending, ...patch };
    this.reasons.push(reason);
    const settled = new Promise<Snapshot>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.waiters.length === 1) queueMicrotask(() => this.settle());
    return settled;
  }

  /** Resolves once the updates made so far are in the current snapshot. */
  settled(): Promise<Snapshot> {
    return this.pending === undefined ? Promise.resolve(this.snapshot) : this.update({}, '');
  }

  /** Calls `listener` after every swap; returns the unsubscribe function. */
  subscribe(listener: (change: SnapshotChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies the pending updates now (normally a microtask after the first update of a tick). */
  flush(): Snapshot {
    const patch = this.pending;
    const reason = this.reasons.filter((r) => r !== '').join('; ');
    this.pending = undefined;
    this.reasons = [];
    if (patch === undefined) return this.snapshot;
    const previous = this.snapshot;
    const inputs = this.merge(previous.inputs, patch);
    if (inputs === previous.inputs) return previous;
    const { model, status } = statusOf(inputs);
    if (inputs.config === previous.inputs.config && inputs.endpoints === previous.inputs.endpoints && inputs.geo === previous.inputs.geo && sameStatus(status, previous.status)) {
      // Nothing an answer depends on moved (e.g. a quorum view whose votes changed but not its verdict).
      this.snapshot = { ...previous, inputs };
      return this.snapshot;
    }
    const details = inputs.overrides === previous.inputs.overrides ? [] : overrideChanges(previous.inputs.overrides, inputs.overrides);
    const why = [reason, ...details].filter((r) => r !== '').join('; ');
    const snapshot = compileSnapshot(inputs, model, status, { generation: previous.generation + 1, previous, clock: this.clock, geoStats: this.geoStats });
    this.compileCount++;
    this.snapshot = snapshot;
    const transitions = steeringTransitions(previous.plans, snapshot.plans);
    this.opts.log.debug({ generation: snapshot.generation, reason: why, transitions: transitions.length }, 'snapshot compiled');
    for (const t of transitions) this.record(t, why, snapshot.generation);
    const change: SnapshotChange = { snapshot, previous, transitions, reason: why };
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.opts.log.error({ err }, 'snapshot subscriber failed');
      }
    }
    return snapshot;
  }

  private settle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    try {
      const snapshot = this.flush();
      for (const w of waiters) w.resolve(snapshot);
    } catch (err) {
      this.opts.log.error({ err }, 'snapshot compile failed; still answering from the previous snapshot');
      for (const w of waiters) w.reject(err);
    }
  }

  /** The inputs with `patch` applied; an input equal to the current one keeps the current object. */
  private merge(current: ControlInputs, patch: InputPatch): ControlInputs {
    const next: ControlInputs = {
      config: patch.config ?? current.config,
      overrides: patch.overrides && !sameOverrides(patch.overrides, current.overrides) ? patch.overrides : current.overrides,
      health: patch.health ?? current.health,
      endpoints: patch.endpoints && !sameSourcedEndpoints(patch.endpoints, current.endpoints) ? patch.endpoints : current.endpoints,
      geo: patch.geo ?? current.geo,
    };
    const same = next.config === current.config && next.overrides === current.overrides && next.health === current.health && next.endpoints === current.endpoints && next.geo === current.geo;
    return same ? current : next;
  }

  private record(t: SteeringTransition, reason: string, generation: number): void {
    this.opts.events?.record({
      type: t.type,
      cause: `${t.from.join('+') || '(none)'} -> ${t.to.join('+') || '(none)'} for ${t.rule}${reason ? `; ${reason}` : ''}`,
      name: t.name,
      detail: { rule: t.rule, from: t.from, to: t.to, from_tier: t.fromTier, to_tier: t.toTier, generation },
    });
  }
}
