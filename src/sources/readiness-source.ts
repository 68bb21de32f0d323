// The readiness contract: a per-region signal from the cluster ("do the region's backing
// Services have ready endpoints?"). A source reports it; the health tracker decides what a
// region's health is (see README.md, "Readiness and region health").

/** ready: backing pods ready; not_ready: the cluster says they are not; unknown: no data yet, nothing to judge, or the API failing too long. */
export type ReadinessState = 'ready' | 'not_ready' | 'unknown';

/** A region's readiness as the cluster reports it, with a one-line reason for logs and events. */
export interface RegionReadiness {
  readonly state: ReadinessState;
  readonly detail: string;
}

/** Called with a region's readiness whenever its state or detail changes. */
export type ReadinessListener = (region: string, readiness: RegionReadiness) => void;

/** A provider of per-region readiness. */
export interface ReadinessSource {
  /** Last readiness per region that has the option on (unknown until the first lists). */
  readiness(): ReadonlyMap<string, RegionReadiness>;
  /** Subscribes to changes; returns the unsubscribe function. */
  onReadiness(listener: ReadinessListener): () => void;
}
