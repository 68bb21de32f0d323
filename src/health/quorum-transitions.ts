import type { NewEvent } from '../events/event-log.js';
import type { TargetQuorumView } from '../steering/region-status.js';
import { endpointTarget, regionTarget, type QuorumHealthView } from './health-quorum.js';

// With shared health, steering follows the quorum, not this instance's checks; so every
// instance records when the quorum's verdict on a region or endpoint changes, with the
// votes that made it (detail.view 'quorum'), whether or not its own checks saw anything.
// The tracker's events of this instance's own checks carry detail.view 'local'.

/** Regions by name with their endpoint ids (the config's model). */
export type QuorumRegions = Iterable<readonly [string, { readonly endpoints: readonly { readonly id: string }[] }]>;

/** What the instances' votes were when a verdict changed, as events and the admin API show them. */
export type VoteDetail = {
  readonly view: 'quorum';
  readonly down_votes: number;
  readonly quorum: number;
  /** Live instance ids counted, sorted. */
  readonly live: readonly string[];
  /** Instance id -> seen up. */
  readonly votes: Readonly<Record<string, boolean>>;
};

/** The vote detail of one target in `view`. */
export function voteDetail(view: QuorumHealthView, target: TargetQuorumView): VoteDetail {
  return { view: 'quorum', down_votes: target.downVotes, quorum: target.quorum, live: view.liveInstances, votes: target.instances };
}

/** "geo-b sees it down", "geo-c no longer counted": whose vote moved between two views of a target. */
function movedVotes(before: TargetQuorumView | undefined, after: TargetQuorumView): string[] {
  const was = before?.instances ?? {};
  const ids = [...new Set([...Object.keys(was), ...Object.keys(after.instances)])].sort();
  return ids.flatMap((id) => {
    const a = after.instances[id];
    const b = was[id];
    if (a === b) return [];
    if (a === undefined) return [`${id} no longer counted`];
    return [`${id} sees it ${a ? 'up' : 'down'}${b === undefined ? '' : ' now'}`];
  });
}

function cause(what: string, before: TargetQuorumView | undefined, after: TargetQuorumView): string {
  const moved = movedVotes(before, after);
  const seeing = Object.entries(after.instances).filter(([, up]) => !up).map(([id]) => id);
  const count = `${after.downVotes} of ${after.live} live instance(s) see ${what} down${seeing.length > 0 ? ` (${seeing.join(', ')})` : ''}, quorum ${after.quorum}`;
  return `quorum: ${moved.length > 0 ? `${moved.join(', ')}; ` : ''}${count}`;
}

/**
 * The region_up/down and endpoint_up/down events of the quorum's verdicts moving from
 * `before` to `after`; `before` undefined is everything up (what steering starts with).
 */
export function quorumTransitions(before: QuorumHealthView | undefined, after: QuorumHealthView, regions: QuorumRegions, at: number): NewEvent[] {
  const events: NewEvent[] = [];
  const changed = (target: string, was: boolean, is: boolean, what: string, kind: 'region' | 'endpoint', region: string, endpoint?: string) => {
    if (was === is) return;
    const view = after.targetView(target);
    const type = kind === 'region' ? (is ? 'region_up' : 'region_down') : is ? 'endpoint_up' : 'endpoint_down';
    events.push({ type, cause: cause(what, before?.targetView(target), view), region, ...(endpoint === undefined ? {} : { endpoint }), at, detail: voteDetail(after, view) });
  };
  for (const [region, spec] of regions) {
    changed(regionTarget(region), before?.regionUp(region) ?? true, after.regionUp(region), region, 'region', region);
    for (const e of spec.endpoints) {
      changed(endpointTarget(region, e.id), before?.endpointUp(region, e.id) ?? true, after.endpointUp(region, e.id), `${region}/${e.id}`, 'endpoint', region, e.id);
    }
  }
  return events;
}
