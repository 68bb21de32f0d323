import type { RegionEndpoints } from './types.js';

/** True when two endpoint sets publish the same addresses (order ignored). */
export function sameEndpoints(a: RegionEndpoints | undefined, b: RegionEndpoints | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const key = (r: RegionEndpoints) => `${r.cname ?? ''}|${r.endpoints.map((e) => `${e.id}=${e.address}`).sort().join(',')}`;
  return key(a) === key(b);
}
