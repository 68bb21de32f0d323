import { GeosteerError } from '../shared/errors.js';
import { EMPTY_STATE, type SharedState, type StateStore } from '../state/state-store.js';
import type { WorkerUpdate } from './worker-update.js';

/**
 * A DNS worker's view of the primary's state: replaced whole by each update, never written
 * here (admin writes go to the primary, which owns the real StateStore).
 */
export class MirroredStateStore implements StateStore {
  readonly kind = 'mirror';
  /** The primary keeps the real connection; a mirror is as connected as its last update. */
  readonly connected = true;
  lastSyncAt: number | undefined;
  private state: SharedState = EMPTY_STATE;
  private readonly listeners = new Set<() => void>();

  current(): SharedState {
    return this.state;
  }

  async refresh(): Promise<SharedState> {
    return this.state;
  }

  /** Takes the primary's state; tells listeners only when it is newer or different. */
  replace(wire: WorkerUpdate['state']): void {
    this.lastSyncAt = Date.now();
    const next: SharedState = { version: wire.version, weights: new Map(wire.weights), drains: new Map(wire.drains), observations: new Map() };
    if (sameState(this.state, next)) return;
    this.state = next;
    for (const l of this.listeners) l();
  }

  async setWeight(): Promise<void> {
    throw readOnly();
  }

  async setDrain(): Promise<void> {
    throw readOnly();
  }

  async publishObservations(): Promise<void> {
    throw readOnly();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

function readOnly(): GeosteerError {
  return new GeosteerError('STATE_UNAVAILABLE', 'state: a DNS worker only mirrors the primary; write through the primary (admin API)');
}

function sameState(a: SharedState, b: SharedState): boolean {
  if (a.version !== b.version || a.weights.size !== b.weights.size || a.drains.size !== b.drains.size) return false;
  for (const [k, v] of b.weights) if (a.weights.get(k) !== v) return false;
  for (const k of b.drains.keys()) if (!a.drains.has(k)) return false;
  return true;
}
