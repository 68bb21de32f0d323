import type { RegionSpec, RegionStatus, RegionStatusView } from './types.js';

/** How the live instances see one health target ("region:tokyo", "endpoint:tokyo/jp-v4"), when health is shared. */
export interface TargetQuorumView {
  readonly target: string;
  /** The consensus: down only when at least `quorum` live instances see it down. */
  readonly up: boolean;
  readonly downVotes: number;
  readonly quorum: number;
  readonly live: number;
  /** Instance id -> seen up; instances that do not check this target are absent. */
  readonly instances: Readonly<Record<string, boolean>>;
}

/** Health as the health subsystem sees it; every region and endpoint is up when nothing checks. */
export interface HealthView {
  regionUp(region: string): boolean;
  /** Healthy again but waiting out its failback hold-down (down for steering, with one exception: see RegionStatus.recovering). */
  regionRecovering?(region: string): boolean;
  endpointUp(region: string, endpointId: string): boolean;
  /** With shared health: each instance's view of a region and its endpoints (explain shows them). */
  votes?(region: string): readonly TargetQuorumView[];
}

/** The view used when no checks run: everything is up. */
export const ALL_UP: HealthView = { regionUp: () => true, endpointUp: () => true };

/** Runtime overrides of the config (from the StateStore). */
export interface RegionOverrides {
  readonly weights: ReadonlyMap<string, number>;
  readonly drains: ReadonlyMap<string, unknown>;
}

/** Merges config, runtime overrides and health into the view decide() reads. */
export function regionStatusView(regions: ReadonlyMap<string, RegionSpec>, overrides: RegionOverrides, health: HealthView): RegionStatusView {
  const view = new Map<string, RegionStatus>();
  for (const [name, spec] of regions) {
    view.set(name, {
      weight: overrides.weights.get(name) ?? spec.weight,
      drained: spec.drain || overrides.drains.has(name),
      // A region with nothing to answer (a source has not reported addresses yet) cannot take traffic.
      up: health.regionUp(name) && (spec.endpoints.length > 0 || spec.cname !== undefined),
      recovering: !health.regionUp(name) && (health.regionRecovering?.(name) ?? false),
      healthyEndpoints: new Set(spec.endpoints.filter((e) => health.endpointUp(name, e.id)).map((e) => e.id)),
    });
  }
  return view;
}
