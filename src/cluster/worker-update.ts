import type { LoadedConfig } from '../config/load.js';
import type { ControlInputs } from '../control/inputs.js';
import type { HealthView, RegionOverrides } from '../steering/region-status.js';
import type { RegionEndpoints } from '../steering/types.js';

/**
 * Everything a DNS worker compiles its snapshot from, sent by the primary after each of its
 * compiles over IPC with advanced (structured clone) serialization: the primary's validated
 * config itself (so a worker never re-reads a file that may have changed since), the
 * overrides, health as the sets of what is down, the source-reported endpoints, and the GeoIP
 * database's bytes when the worker does not have that generation yet.
 */
export interface WorkerUpdate {
  readonly type: 'geosteer:update';
  /** Increments with every update the primary sends; workers ignore older ones. */
  readonly seq: number;
  /** The config, when it differs from the one in the worker's previous update (always in the first). */
  readonly config: LoadedConfig | undefined;
  readonly overrides: RegionOverrides;
  readonly health: { readonly downRegions: readonly string[]; readonly recoveringRegions: readonly string[]; readonly downEndpoints: readonly (readonly [string, string])[] };
  readonly endpoints: ReadonlyMap<string, RegionEndpoints>;
  /** The GeoIP generation in force; `bytes` when the worker has not been sent it yet. */
  readonly geoip: { readonly generation: number; readonly path: string; readonly bytes: Uint8Array | undefined };
}

/** What a worker answers after applying an update (the primary shows it in /readyz). */
export interface WorkerApplied {
  readonly type: 'geosteer:applied';
  readonly seq: number;
  readonly geoipGeneration: number;
  /** Snapshots the worker has compiled so far (one per update that changed something). */
  readonly compiles: number;
}

/** Health as plain data: the regions and endpoints the view reports down. */
export function healthToWire(health: HealthView, inputs: ControlInputs): WorkerUpdate['health'] {
  const downRegions: string[] = [];
  const recoveringRegions: string[] = [];
  const downEndpoints: [string, string][] = [];
  for (const [name, spec] of inputs.config.model.regions) {
    if (!health.regionUp(name)) downRegions.push(name);
    if (health.regionRecovering?.(name)) recoveringRegions.push(name);
    for (const e of spec.endpoints) if (!health.endpointUp(name, e.id)) downEndpoints.push([name, e.id]);
  }
  return { downRegions, recoveringRegions, downEndpoints };
}

/** The HealthView that answers like the primary's did. */
export function healthFromWire(wire: WorkerUpdate['health']): HealthView {
  const regions = new Set(wire.downRegions);
  const recovering = new Set(wire.recoveringRegions);
  const endpoints = new Set(wire.downEndpoints.map(([r, e]) => `${r}\u0000${e}`));
  return { regionUp: (r) => !regions.has(r), regionRecovering: (r) => recovering.has(r), endpointUp: (r, e) => !endpoints.has(`${r}\u0000${e}`) };
}

/** Weights and drains as plain maps (observations stay with the primary: health is sent already merged). */
export function overridesOf(o: RegionOverrides): RegionOverrides {
  return { weights: new Map(o.weights), drains: new Map(o.drains) };
}

/** Type guard for messages arriving on the worker's IPC channel. */
export function isWorkerUpdate(message: unknown): message is WorkerUpdate {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'geosteer:update';
}
