import type { RegionEndpoints } from '../steering/types.js';

export { sameEndpoints } from '../steering/region-endpoints.js';

// The source contract (ExternalDNS's Source): where a region's addresses come from. A
// source reports per region; it never reports "empty" because an API call failed.

export type { RegionEndpoints };

/** Called with a region's new endpoints whenever they change. */
export type EndpointsListener = (region: string, endpoints: RegionEndpoints) => void;

/** Called when a source fails (the source keeps its last known endpoints). */
export type SourceErrorListener = (source: string, region: string, err: Error) => void;

/** Told what the sources do (metrics implement it; sources need no prom-client). */
export interface SourceObserver {
  /** A list or watch of `source` for `region` failed (the last endpoints stay). */
  sourceFailed(source: string, region: string): void;
  /** `source` reports `count` endpoints for `region` now. */
  sourceReported(source: string, region: string, count: number): void;
}

/** A provider of region endpoints. */
export interface EndpointSource {
  /** Short name for logs and metric labels: "static", "kubernetes". */
  readonly kind: string;
  /** Last known endpoints per region (regions the source has nothing for yet are absent). */
  current(): ReadonlyMap<string, RegionEndpoints>;
  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: EndpointsListener): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
