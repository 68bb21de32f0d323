// Region health from its endpoints: up while at least min_up endpoints are up and no alert
// holds it down. Failback is damped (see README "Failback damping"): a down region becomes
// "recovering" (still down for steering) only once min_up endpoints have passed `rise`
// checks in a row, and takes traffic only after a hold-down in which no check of an up
// endpoint failed; any such failure sends it back to down, and the whole wait starts over.

/** Where a region stands; only 'up' takes traffic. */
export type RegionPhase = 'unknown' | 'up' | 'down' | 'recovering';

/** The state of one region. */
export interface RegionState {
  readonly phase: RegionPhase;
  /** When the phase last changed. */
  readonly since: number;
  /** While recovering: when the hold-down ends. */
  readonly recoveringUntil: number | undefined;
  /** Why it is in this phase, in operator words. */
  readonly cause: string;
}

/** What the region's phase is computed from. */
export interface RegionInputs {
  readonly upEndpoints: number;
  /** Up endpoints whose latest `rise` checks all passed (unchecked endpoints count); what a failback needs. */
  readonly steadyEndpoints: number;
  /** A failed check of an up endpoint in this update ("status 503"), if any: counts against a recovering region. */
  readonly failedCheck: string | undefined;
  readonly unknownEndpoints: number;
  readonly totalEndpoints: number;
  readonly minUp: number;
  /** Cause text of an alert holding the region down, if any. */
  readonly forcedDown: string | undefined;
}

/** The state a region starts in. */
export function initialRegionState(startup: 'assume_up' | 'wait_for_checks', hasChecks: boolean, now: number): RegionState {
  const phase: RegionPhase = startup === 'wait_for_checks' && hasChecks ? 'unknown' : 'up';
  return { phase, since: now, recoveringUntil: undefined, cause: phase === 'up' ? `startup: ${hasChecks ? 'assumed up until checks say otherwise' : 'no checks, always up'}` : 'startup: waiting for the first checks' };
}

function countText(i: RegionInputs): string {
  return `${i.upEndpoints} of ${i.totalEndpoints} endpoint(s) up, min_up ${i.minUp}`;
}

/** The region's next state for its inputs at `now`. */
export function nextRegionState(prev: RegionState, inputs: RegionInputs, now: number, holdDownMs: number): RegionState {
  const healthy = inputs.forcedDown === undefined && inputs.upEndpoints >= inputs.minUp;
  const to = (phase: RegionPhase, cause: string, recoveringUntil?: number): RegionState =>
    phase === prev.phase && recoveringUntil === prev.recoveringUntil ? prev : { phase, since: now, recoveringUntil, cause };
  const downCause = inputs.forcedDown ?? countText(inputs);
  switch (prev.phase) {
    case 'unknown':
      // The first results decide at startup; no hold-down, the region never took traffic.
      if (healthy) return to('up', `first checks: ${countText(inputs)}`);
      if (inputs.unknownEndpoints > 0 && inputs.forcedDown === undefined && inputs.upEndpoints + inputs.unknownEndpoints >= inputs.minUp) return prev;
      return to('down', downCause);
    case 'up':
      return healthy ? prev : to('down', downCause);
    case 'down': {
      if (!healthy) return prev.cause === downCause ? prev : { ...prev, cause: downCause };
      if (inputs.steadyEndpoints < inputs.minUp) {
        // Up again by the endpoints' rise/fall, but a check failed since: wait for `rise` good ones.
        const cause = `${inputs.steadyEndpoints} of ${inputs.totalEndpoints} endpoint(s) passed rise checks in a row since their last failure, min_up ${inputs.minUp}`;
        return prev.cause === cause ? prev : { ...prev, cause };
      }
      return holdDownMs > 0 ? to('recovering', `${countText(inputs)}; holding down ${holdDownMs}ms before taking traffic`, now + holdDownMs) : to('up', countText(inputs));
    }
    case 'recovering':
      if (!healthy) return to('down', downCause);
      // Any failure inside the hold-down counts against the region: back to down, and the
      // failback needs `rise` good checks and then a whole quiet hold-down again.
      if (inputs.failedCheck !== undefined) return to('down', `check failed during the failback hold-down (${Math.max(0, (prev.recoveringUntil ?? now) - now)}ms before it would have ended): ${inputs.failedCheck}`);
      if (now >= (prev.recoveringUntil ?? now)) return to('up', `${countText(inputs)} for the ${holdDownMs}ms hold-down`);
      return prev;
  }
}
