import type { DrainInfo, InstanceObservations, SharedState, StateStore } from './state-store.js';
import { EMPTY_STATE } from './state-store.js';

/** The embedded default: state in this process only. Each write replaces the state object. */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory';
  /** The memory store has no connection to lose. */
  readonly connected = true;
  private state: SharedState = EMPTY_STATE;
  private readonly expiries = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private syncedAt: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

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
    const weights = new Map(this.state.weights);
    if (weight === null) weights.delete(region);
    else weights.set(region, weight);
    this.commit({ ...this.state, weights });
  }

  async setDrain(region: string, drain: DrainInfo | null): Promise<void> {
    const drains = new Map(this.state.drains);
    if (drain === null) drains.delete(region);
    else drains.set(region, drain);
    this.commit({ ...this.state, drains });
  }

  async publishObservations(observations: InstanceObservations, ttlMs: number): Promise<void> {
    const all = new Map(this.state.observations);
    all.set(observations.instance, observations);
    this.expiries.set(observations.instance, this.now() + ttlMs);
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
