/** Why and by whom a region was drained. */
export interface DrainInfo {
  readonly reason: string;
  /** Token name or "config". */
  readonly by: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

/** One instance's health observations, published with a TTL so a dead instance drops out. */
export interface InstanceObservations {
  readonly instance: string;
  /** When published, ms since the epoch. */
  readonly at: number;
  /** Target id ("region:tokyo", "endpoint:tokyo/jp-v4") -> seen up. */
  readonly targets: Readonly<Record<string, boolean>>;
}

/** Runtime state shared by every instance: overrides of the config and health observations. */
export interface SharedState {
  /** Grows with every accepted write; a newer state never yields to an older one. */
  readonly version: number;
  /** Runtime weight overrides; regions not listed use their configured weight. */
  readonly weights: ReadonlyMap<string, number>;
  /** Drained regions. */
  readonly drains: ReadonlyMap<string, DrainInfo>;
  /** Live instances' observations, keyed by instance id. */
  readonly observations: ReadonlyMap<string, InstanceObservations>;
}

/** Where weights, drains and health observations live: memory (one process) or Redis (many). */
export interface StateStore {
  readonly kind: string;
  /** The last known state, synchronously; what snapshots are built from. */
  current(): SharedState;
  /** Re-reads the whole state from the backing store (start-up and periodic resync). */
  refresh(): Promise<SharedState>;
  /** Sets a weight override; null returns the region to its configured weight. */
  setWeight(region: string, weight: number | null): Promise<void>;
  /** Drains a region, or undrains it with null. */
  setDrain(region: string, drain: DrainInfo | null): Promise<void>;
  /** Publishes this instance's observations; they expire after `ttlMs` without a refresh. */
  publishObservations(observations: InstanceObservations, ttlMs: number): Promise<void>;
  /** Calls `listener` after any change, local or remote. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** True while writes can be accepted (always for memory; Redis: connection ready). */
  readonly connected: boolean;
  /** When the state was last read in full from the backing store (ms since the epoch), if ever. */
  readonly lastSyncAt: number | undefined;
  close(): Promise<void>;
}

/** How a data loss showed itself: the epoch marker gone, replaced, or the version counter behind what was seen. */
export type StoreResetReason = 'epoch_missing' | 'epoch_changed' | 'counter_behind';

/** A data loss the store detected; its last known overrides stay in effect until an operator decides. */
export interface StoreReset {
  readonly reason: StoreResetReason;
  /** Operator words: what was found and what to do. */
  readonly cause: string;
  /** When it was first detected, ms since the epoch. */
  readonly detectedAt: number;
  /** The epoch this instance knew, and the one found instead (undefined: none). */
  readonly previousEpoch: string | undefined;
  readonly foundEpoch: string | undefined;
  /** The overrides kept in effect meanwhile: what `confirmReset('republish')` writes back. */
  readonly kept: { readonly weights: number; readonly drains: number };
}

/** The backing store's health, for readiness and metrics; read on demand, cheap. */
export interface StateStoreStatus {
  readonly kind: string;
  /** Connected and read in full: the same as `StateStore.connected`. */
  readonly connected: boolean;
  /** Connected and no reset pending: weight and drain writes are accepted. */
  readonly writable: boolean;
  /** When `connected` last changed (or the store was created), ms since the epoch. */
  readonly since: number;
  /** Times the connection came back after being lost (the first connect does not count). */
  readonly reconnects: number;
  /** The latest error from the backing store, if any since the start. */
  readonly lastError: { readonly message: string; readonly at: number } | undefined;
  /** When the state was last read in full, if ever. */
  readonly lastSyncAt: number | undefined;
  /** Id of the store's data generation (the epoch marker), once read; memory: undefined. */
  readonly epoch: string | undefined;
  /** A detected data loss waiting for an operator, if any. */
  readonly reset: StoreReset | undefined;
  /** Data losses detected since the start. */
  readonly resetsDetected: number;
  /** Weight and drain writes refused (not connected, reset pending, or cut off) since the start. */
  readonly writesRefused: number;
}

/** What an operator decides about a detected reset: write this instance's kept overrides back, or take what the store holds now. */
export type ResetDecision = 'republish' | 'adopt';

/** What `confirmReset` did. */
export interface ResetResolution {
  readonly decision: ResetDecision;
  /** The new epoch every instance now follows. */
  readonly epoch: string;
  /** Overrides in effect afterwards. */
  readonly weights: number;
  readonly drains: number;
}

/**
 * The role of a store whose backing service can fail: status for /readyz and metrics, a
 * listener for changes of connection or reset state, and the operator's confirmation
 * after a data loss. The memory and Redis stores implement it (a DNS worker's mirror does not).
 */
export interface StoreHealth {
  /** The current status (a fresh object each call). */
  status(): StateStoreStatus;
  /** Calls `listener` when `connected`, `reset` or `epoch` change (not on every resync). Returns an unsubscribe function. */
  onStatus(listener: (status: StateStoreStatus) => void): () => void;
  /**
   * Ends a pending reset: 'republish' writes the overrides this instance kept into the store
   * (replacing whatever it holds), 'adopt' takes the store's contents as they are. Every
   * instance follows (a new epoch). Refused with CONFLICT when no reset is pending.
   */
  confirmReset(decision: ResetDecision, by: string): Promise<ResetResolution>;
}

/** An empty state, version 0. */
export const EMPTY_STATE: SharedState = Object.freeze({
  version: 0,
  weights: new Map(),
  drains: new Map(),
  observations: new Map(),
});
