import { GeosteerError } from '../shared/errors.js';
import type { DrainInfo, InstanceObservations, ResetResolution, SharedState, StateStore, StateStoreStatus, StoreHealth } from './state-store.js';
import { EMPTY_STATE } from './state-store.js';
import { StatusBook } from './store-status.js';
import { sameTargets } from './versioned-entry.js';

/** The embedded default: state in this process only. Each write replaces the state object; a write that changes nothing is not one. */
export class MemoryStateStore implements StateStore, StoreHealth {
  readonly kind = 'memory';
  /** The memory store has no connection to lose. */
  readonly connected = true;
  private state: SharedState = EMPTY_STATE;
  private readonly expiries = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private syncedAt: number | undefined;
  private readonly book: StatusBook;

  constructor(private readonly now: () => number = Date.now) {
    this.book = new StatusBook('memory', now, () => ({ lastSyncAt: this.syncedAt, epoch: undefined, reset: undefined }));
    this.book.setConnected(true);
  }

  status(): StateStoreStatus {
    return this.book.status();
  }

  /** Never called: the memory store's status does not change. */
  onStatus(listener: (status: StateStoreStatus) => void): () => void {
    return this.book.onStatus(listener);
  }

  /** The memory store cannot lose its data, so there is never a reset to confirm. */
  async confirmReset(): Promise<ResetResolution> {
    throw new GeosteerError('CONFLICT', 'state store memory: no reset is pending; nothing to confirm (the memory store cannot lose its data while running)');
  }

  current(): SharedState {
    return this.withoutExpired();
  }

  get lastSyncAt(): number | undefined {
    return this.syncedAt;
  }

  async refresh(): Promise<SharedState> {
    this.syncedAt = this.now();
    return this.current();
  }

  async setWeight(region: string, weight: number | null): Promise<void> {
    if ((this.state.weights.get(region) ?? null) === weight) return;
    const weights = new Map(this.state.weights);
    if (weight === null) weights.delete(region);
    else weights.set(region, weight);
    this.commit({ ...this.state, weights });
  }

  async setDrain(region: string, drain: DrainInfo | null): Promise<void> {
    const prev = this.state.drains.get(region);
    if ((prev ?? null) === drain || (prev && drain && prev.reason === drain.reason && prev.by === drain.by && prev.at === drain.at)) return;
    const drains = new Map(this.state.drains);
    if (drain === null) drains.delete(region);
    else drains.set(region, drain);
    this.commit({ ...this.state, drains });
  }

  async publishObservations(observations: InstanceObservations, ttlMs: number): Promise<void> {
    const prev = this.current().observations.get(observations.instance);
    this.expiries.set(observations.instance, this.now() + ttlMs);
    // a heartbeat that says what the last one said only extends the TTL (as in Redis)
    if (prev && sameTargets(prev.targets, observations.targets)) return;
    const all = new Map(this.state.observations);
    all.set(observations.instance, observations);
    this.commit({ ...this.state, observations: all });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private withoutExpired(): SharedState {
    const now = this.now();
    const expired = [...this.expiries].filter(([, at]) => at <= now).map(([id]) => id);
    if (expired.length === 0) return this.state;
    const observations = new Map(this.state.observations);
    for (const id of expired) {
      observations.delete(id);
      this.expiries.delete(id);
    }
    this.state = { ...this.state, version: this.state.version + 1, observations };
    return this.state;
  }

  private commit(next: SharedState): void {
    this.state = { ...next, version: this.state.version + 1 };
    for (const listener of this.listeners) listener();
  }
}
