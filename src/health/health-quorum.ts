import type { HealthView, TargetQuorumView } from '../steering/region-status.js';

export type { TargetQuorumView };
import type { InstanceObservations } from '../state/state-store.js';

/** Target id of a region in observations. */
export function regionTarget(region: string): string {
  return `region:${region}`;
}

/** Target id of an endpoint in observations. */
export function endpointTarget(region: string, endpointId: string): string {
  return `endpoint:${region}/${endpointId}`;
}

/** Observation targets for a local HealthView over `regions` (name -> endpoint ids). */
export function targetsFromHealthView(view: HealthView, regions: Iterable<readonly [string, { readonly endpoints: readonly { readonly id: string }[] }]>): Record<string, boolean> {
  const targets: Record<string, boolean> = {};
  for (const [region, spec] of regions) {
    targets[regionTarget(region)] = view.regionUp(region);
    for (const e of spec.endpoints) targets[endpointTarget(region, e.id)] = view.endpointUp(region, e.id);
  }
  return targets;
}

/** Inputs of the consensus. */
export interface QuorumInput {
  /** This instance's id. */
  readonly self: string;
  /** This instance's own, freshest observations (counted even when they could not be published). */
  readonly local: Readonly<Record<string, boolean>>;
  /** Observations of the live instances (heartbeat within TTL), self included or not. */
  readonly observations: ReadonlyMap<string, InstanceObservations>;
  /** Down votes needed; default a majority of live instances. Capped at the live count. */
  readonly quorum?: number;
}

/** The majority of `live` instances: 1 of 1, 2 of 2, 2 of 3, 3 of 4. */
export function majority(live: number): number {
  return Math.floor(live / 2) + 1;
}

/**
 * Health as the live instances agree on it: a target is down when at least `quorum` of them
 * see it down; a target nobody reports is up. One instance's bad network path therefore
 * cannot move traffic, and an instance left alone (the others expired) decides by itself.
 */
export class QuorumHealthView implements HealthView {
  /** Ids of the live instances counted, sorted. */
  readonly liveInstances: readonly string[];
  /** Down votes needed for a target to be down. */
  readonly quorum: number;
  private readonly views: ReadonlyMap<string, Readonly<Record<string, boolean>>>;
  private readonly down: ReadonlySet<string>;

  constructor(input: QuorumInput) {
    const views = new Map<string, Readonly<Record<string, boolean>>>();
    for (const [id, obs] of input.observations) if (id !== input.self) views.set(id, obs.targets);
    views.set(input.self, input.local);
    this.views = views;
    this.liveInstances = [...views.keys()].sort();
    const live = views.size;
    this.quorum = Math.min(input.quorum ?? majority(live), live);
    const votes = new Map<string, number>();
    for (const targets of views.values()) {
      for (const [target, up] of Object.entries(targets)) if (!up) votes.set(target, (votes.get(target) ?? 0) + 1);
    }
    this.down = new Set([...votes].filter(([, n]) => n >= this.quorum).map(([t]) => t));
  }

  regionUp(region: string): boolean {
    return !this.down.has(regionTarget(region));
  }

  endpointUp(region: string, endpointId: string): boolean {
    return !this.down.has(endpointTarget(region, endpointId));
  }

  /** Targets the consensus holds down, sorted; equal lists mean equal views. */
  downTargets(): string[] {
    return [...this.down].sort();
  }

  /** A string equal for two views exactly when every live instance reports the same down targets. */
  opinionKey(): string {
    return this.liveInstances.map((id) => `${id}:${Object.entries(this.views.get(id)!).filter(([, up]) => !up).map(([t]) => t).sort().join(',')}`).join('|');
  }

  /** Per-target, per-instance views; only targets whose id starts with `prefix` when given. */
  quorumViews(prefix = ''): TargetQuorumView[] {
    const targets = new Set<string>();
    for (const v of this.views.values()) for (const t of Object.keys(v)) if (t.startsWith(prefix)) targets.add(t);
    return [...targets].sort().map((target) => this.targetView(target));
  }

  /** How every live instance sees one target (instances that do not report it are absent). */
  targetView(target: string): TargetQuorumView {
    const instances: Record<string, boolean> = {};
    let downVotes = 0;
    for (const id of this.liveInstances) {
      const up = this.views.get(id)![target];
      if (up === undefined) continue;
      instances[id] = up;
      if (!up) downVotes++;
    }
    return { target, up: !this.down.has(target), downVotes, quorum: this.quorum, live: this.liveInstances.length, instances };
  }

  /** The views of one region and its endpoints (what explain shows for a region). */
  votes(region: string): TargetQuorumView[] {
    return [...this.quorumViews(regionTarget(region)).filter((v) => v.target === regionTarget(region)), ...this.quorumViews(`endpoint:${region}/`)];
  }
}

/** One target's votes as the admin API shows them. */
export type TargetVotes = {
  readonly up: boolean;
  readonly down_votes: number;
  readonly quorum: number;
  readonly live: number;
  /** Instance id -> seen up; instances that do not check the target are absent. */
  readonly instances: Readonly<Record<string, boolean>>;
};

/** The votes on a region and on each of its endpoints (by endpoint id); undefined when health is not shared. */
export function sharedVotes(health: HealthView, region: string): { region: TargetVotes | undefined; endpoints: ReadonlyMap<string, TargetVotes> } | undefined {
  if (!health.votes) return undefined;
  const shown = (v: TargetQuorumView): TargetVotes => ({ up: v.up, down_votes: v.downVotes, quorum: v.quorum, live: v.live, instances: v.instances });
  const endpoints = new Map<string, TargetVotes>();
  let own: TargetVotes | undefined;
  const prefix = `endpoint:${region}/`;
  for (const v of health.votes(region)) {
    if (v.target === regionTarget(region)) own = shown(v);
    else if (v.target.startsWith(prefix)) endpoints.set(v.target.slice(prefix.length), shown(v));
  }
  return { region: own, endpoints };
}
