import type { ServiceModel } from '../config/model.js';
import type { HealthView } from '../steering/region-status.js';
import type { Endpoint } from '../steering/types.js';
import type { DrainInfo, SharedState } from '../state/state-store.js';

/**
 * Everything a DNS worker needs to compile the same snapshot as the primary, as plain data
 * that survives the IPC channel's JSON: the config source text (workers validate it
 * themselves), the runtime state, and health as the sets of what is down.
 */
export interface WorkerUpdate {
  readonly type: 'geosteer:update';
  /** Increments with every update the primary sends; workers ignore older ones. */
  readonly seq: number;
  readonly configSource: string;
  readonly configText: string;
  readonly state: { version: number; weights: [string, number][]; drains: [string, DrainInfo][] };
  readonly health: { downRegions: string[]; downEndpoints: [string, string][] };
  /** Region endpoints reported by sources (Kubernetes), replacing the config's. */
  readonly endpoints: [string, { endpoints: Endpoint[]; cname: string | undefined }][];
  /** GeoIP database path and a counter the primary bumps when its watcher reloads it. */
  readonly geoip: { path: string; generation: number };
}

/** Health as plain data: the regions and endpoints the view reports down. */
export function healthToWire(health: HealthView, model: ServiceModel): WorkerUpdate['health'] {
  const downRegions: string[] = [];
  const downEndpoints: [string, string][] = [];
  for (const [name, spec] of model.regions) {
    if (!health.regionUp(name)) downRegions.push(name);
    for (const e of spec.endpoints) if (!health.endpointUp(name, e.id)) downEndpoints.push([name, e.id]);
  }
  return { downRegions, downEndpoints };
}

/** The HealthView that answers like the primary's did. */
export function healthFromWire(wire: WorkerUpdate['health']): HealthView {
  const regions = new Set(wire.downRegions);
  const endpoints = new Set(wire.downEndpoints.map(([r, e]) => `${r}\u0000${e}`));
  return { regionUp: (r) => !regions.has(r), endpointUp: (r, e) => !endpoints.has(`${r}\u0000${e}`) };
}

/** Weights and drains as plain data (observations stay with the primary: health is sent already merged). */
export function stateToWire(state: SharedState): WorkerUpdate['state'] {
  return { version: state.version, weights: [...state.weights], drains: [...state.drains] };
}

/** Type guard for messages arriving on the worker's IPC channel. */
export function isWorkerUpdate(message: unknown): message is WorkerUpdate {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'geosteer:update';
}
