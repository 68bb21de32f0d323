import { sameEndpoints } from '../steering/region-endpoints.js';
import type { RegionOverrides } from '../steering/region-status.js';
import type { RegionEndpoints, RegionStatus, RegionStatusView } from '../steering/types.js';

// Equality of inputs and of region status, so that an update which changes nothing that
// answers depend on compiles nothing (a heartbeat, a health observation of no consequence).

function sameMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>, same: (x: V, y: V) => boolean): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined && !b.has(k)) return false;
    if (!same(v, w as V)) return false;
  }
  return true;
}

/** True when both hold the same weight overrides and the same drains (with the same details). */
export function sameOverrides(a: RegionOverrides, b: RegionOverrides): boolean {
  return sameMap(a.weights, b.weights, (x, y) => x === y) && sameMap(a.drains, b.drains, (x, y) => JSON.stringify(x) === JSON.stringify(y));
}

/** True when both report the same endpoints for the same regions. */
export function sameSourcedEndpoints(a: ReadonlyMap<string, RegionEndpoints>, b: ReadonlyMap<string, RegionEndpoints>): boolean {
  return sameMap(a, b, sameEndpoints);
}

function sameRegionStatus(a: RegionStatus, b: RegionStatus): boolean {
  if (a === b) return true;
  if (a.weight !== b.weight || a.drained !== b.drained || a.up !== b.up || a.recovering !== b.recovering || a.healthyEndpoints.size !== b.healthyEndpoints.size) return false;
  for (const id of a.healthyEndpoints) if (!b.healthyEndpoints.has(id)) return false;
  return true;
}

/** True when every region has the same weight, drain, health and healthy endpoints in both. */
export function sameStatus(a: RegionStatusView, b: RegionStatusView): boolean {
  return sameMap(a, b, sameRegionStatus);
}
