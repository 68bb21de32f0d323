import type { Endpoint } from '../steering/types.js';

// The source contract (ExternalDNS's Source): where a region's addresses come from. A
// source reports per region; it never reports "empty" because an API call failed.

/** A region's addresses as a source sees them: endpoints, or a CNAME target (hostname-only load balancers). */
export interface RegionEndpoints {
  readonly endpoints: readonly Endpoint[];
  readonly cname: string | undefined;
}

/** Called with a region's new endpoints whenever they change. */
export type EndpointsListener = (region: string, endpoints: RegionEndpoints) => void;

/** Called when a source fails (the source keeps its last known endpoints). */
export type SourceErrorListener = (source: string, region: string, err: Error) => void;

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

/** True when two endpoint sets publish the same addresses (order ignored). */
export function sameEndpoints(a: RegionEndpoints | undefined, b: RegionEndpoints | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const key = (r: RegionEndpoints) => `${r.cname ?? ''}|${r.endpoints.map((e) => `${e.id}=${e.address}`).sort().join(',')}`;
  return key(a) === key(b);
}
