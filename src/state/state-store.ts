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

/** An empty state, version 0. */
export const EMPTY_STATE: SharedState = Object.freeze({
  version: 0,
  weights: new Map(),
  drains: new Map(),
  observations: new Map(),
});
