// The rise/fall state machine of one endpoint: a pure function of its observations.
// HAProxy-style: an up endpoint goes down after `fall` failures in a row, a down one comes
// up after `rise` successes in a row; an unknown one (startup: wait_for_checks) is decided
// by its first result, so startup is not slowed down by `rise`.

/** Where an endpoint stands according to its checks. */
export type EndpointPhase = 'unknown' | 'up' | 'down';

/** One check result. */
export interface Observation {
  readonly ok: boolean;
  /** What happened, for events and logs ("status 503", "connect ECONNREFUSED"). */
  readonly detail: string;
}

/** The state of one endpoint's checks. */
export interface EndpointState {
  readonly phase: EndpointPhase;
  /** Successes in a row (0 after a failure). */
  readonly okStreak: number;
  /** Failures in a row (0 after a success). */
  readonly failStreak: number;
  /** When the phase last changed, in ms since the epoch. */
  readonly since: number;
  /** The latest observation's detail. */
  readonly lastDetail: string;
  /** When the latest observation came, or undefined before the first. */
  readonly lastCheckAt: number | undefined;
}

/** How many results in a row flip the phase. */
export interface Thresholds {
  readonly rise: number;
  readonly fall: number;
}

/** The state before any check: up when the startup mode assumes so, unknown otherwise. */
export function initialEndpointState(startup: 'assume_up' | 'wait_for_checks', now: number): EndpointState {
  return { phase: startup === 'assume_up' ? 'up' : 'unknown', okStreak: 0, failStreak: 0, since: now, lastDetail: 'no check yet', lastCheckAt: undefined };
}

/** The state after one more observation. */
export function observeEndpoint(state: EndpointState, obs: Observation, t: Thresholds, now: number): EndpointState {
  const okStreak = obs.ok ? state.okStreak + 1 : 0;
  const failStreak = obs.ok ? 0 : state.failStreak + 1;
  let phase: EndpointPhase = state.phase;
  if (state.phase === 'unknown') phase = obs.ok ? 'up' : 'down';
  else if (state.phase === 'up' && failStreak >= t.fall) phase = 'down';
  else if (state.phase === 'down' && okStreak >= t.rise) phase = 'up';
  return { phase, okStreak, failStreak, since: phase === state.phase ? state.since : now, lastDetail: obs.detail, lastCheckAt: now };
}
