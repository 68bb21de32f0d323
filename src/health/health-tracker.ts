import type { HealthPlan } from '../config/health-checks.js';
import type { NewEvent } from '../events/event-log.js';
import type { HealthView } from '../steering/region-status.js';
import { AlertBook, type AlertChange, type AlertTarget } from './alert-book.js';
import type { AlertInput } from './alert-payload.js';
import { initialEndpointState, observeEndpoint, type EndpointState, type Observation } from './endpoint-state.js';
import { initialRegionState, nextRegionState, type RegionState } from './region-state.js';

// All health state, without timers or sockets: observations and alerts go in with the time,
// transitions (as events) and a fresh immutable HealthView come out. The monitor drives it.

/** Effective endpoint health after alerts: what steering sees. */
type Effective = 'unknown' | 'up' | 'down';

/** The result of feeding the tracker: events to record and whether the view changed. */
export interface TrackerUpdate {
  readonly events: NewEvent[];
  readonly viewChanged: boolean;
}

/** One endpoint as the admin API shows it. */
export interface EndpointReport {
  readonly id: string;
  readonly checked: boolean;
  readonly up: boolean;
  readonly state: EndpointState;
  readonly alert: string | undefined;
}

/** One region as the admin API shows it. */
export interface RegionReport {
  readonly region: string;
  readonly up: boolean;
  readonly state: RegionState;
  readonly minUp: number;
  readonly endpoints: EndpointReport[];
}

const key = (region: string, endpoint: string) => `${region}\u0000${endpoint}`;

/** Up/down events of this instance's own checks and alerts; with shared health steering follows the quorum's (detail.view 'quorum', see quorum-transitions.ts). */
const LOCAL = { view: 'local' } as const;

/** Endpoint and region health with alerts; deterministic in the times it is given. */
export class HealthTracker {
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly effective = new Map<string, Effective>();
  private readonly regions = new Map<string, RegionState>();
  private readonly alerts: AlertBook;
  /** Regions whose cluster reports no ready backing endpoints (sources' readiness), with why. */
  private readonly clusterDown: Map<string, string>;
  private current: HealthView;

  constructor(
    private readonly plan: HealthPlan,
    alertLabel: string,
    alertMaxAgeMs: number,
    now: number,
    previous?: HealthTracker,
  ) {
    this.alerts = previous?.alerts ?? new AlertBook(alertLabel, alertMaxAgeMs);
    this.clusterDown = previous?.clusterDown ?? new Map();
    for (const [name, spec] of plan.regions) {
      for (const e of spec.endpoints) {
        const k = key(name, e.id);
        // A config reload keeps what is known about an endpoint whose check did not change.
        const kept = previous?.checkKeyOf(name, e.id) === e.check?.key ? previous?.endpoints.get(k) : undefined;
        this.endpoints.set(k, kept ?? (e.check ? initialEndpointState(plan.startup, now) : { ...initialEndpointState('assume_up', now), lastDetail: 'not checked' }));
        this.effective.set(k, previous?.effective.get(k) ?? this.effectiveOf(name, e.id));
      }
      const hasChecks = spec.endpoints.some((e) => e.check !== undefined);
      this.regions.set(name, previous?.regions.get(name) ?? initialRegionState(plan.startup, hasChecks, now));
    }
    this.evaluate(now);
    this.current = this.buildView();
  }

  private checkKeyOf(region: string, endpoint: string): string | undefined {
    return this.plan.regions.get(region)?.endpoints.find((e) => e.id === endpoint)?.check?.key;
  }

  /** The view steering reads now (immutable; a new one after every change). */
  view(): HealthView {
    return this.current;
  }

  /** Feeds one check result to the endpoints that share the check, then re-evaluates once. */
  observe(endpoints: readonly { region: string; endpoint: string }[], obs: Observation, now: number): TrackerUpdate {
    // Regions where an endpoint that is up failed this check: a recovering region relapses.
    const failed = new Map<string, string>();
    for (const { region, endpoint } of endpoints) {
      const k = key(region, endpoint);
      const state = this.endpoints.get(k);
      const check = this.plan.regions.get(region)?.endpoints.find((e) => e.id === endpoint)?.check;
      if (!state || !check) continue;
      if (!obs.ok && this.effective.get(k) === 'up') failed.set(region, `${endpoint}: ${obs.detail}`);
      this.endpoints.set(k, observeEndpoint(state, obs, check, now));
    }
    return this.evaluate(now, failed);
  }

  /** Applies an Alertmanager post; returns what it did plus the resulting transitions. */
  applyAlerts(alerts: readonly AlertInput[], now: number): TrackerUpdate & { change: AlertChange } {
    const change = this.alerts.apply(alerts, (v) => this.resolveTarget(v), now);
    const events: NewEvent[] = [
      ...change.fired.map((a): NewEvent => ({ type: 'alert_firing', cause: `alert ${a.alertname} firing`, region: a.target.region, endpoint: a.target.endpoint, at: now, detail: { fingerprint: a.fingerprint } })),
      ...change.resolved.map((a): NewEvent => ({ type: 'alert_resolved', cause: `alert ${a.alertname} resolved`, region: a.target.region, endpoint: a.target.endpoint, at: now, detail: { fingerprint: a.fingerprint } })),
    ];
    const update = this.evaluate(now);
    return { events: [...events, ...update.events], viewChanged: update.viewChanged, change };
  }

  /**
   * The cluster's readiness of a region (Kubernetes EndpointSlices): `not_ready` holds the
   * region down like a firing alert; `ready` and `unknown` hold nothing (checks, hold-down and
   * quorum still decide). Returns the transitions.
   */
  setClusterReadiness(region: string, state: 'ready' | 'not_ready' | 'unknown', detail: string, now: number): TrackerUpdate {
    const was = this.clusterDown.get(region);
    if (state === 'not_ready') this.clusterDown.set(region, `cluster: ${detail}`);
    else this.clusterDown.delete(region);
    if (was === this.clusterDown.get(region)) return { events: [], viewChanged: false };
    return this.evaluate(now);
  }

  /** Moves time on: hold-downs that ended and alerts past max_age. */
  tick(now: number): TrackerUpdate {
    const expired = this.alerts.expire(now);
    const events = expired.map((a): NewEvent => ({ type: 'alert_resolved', cause: `alert ${a.alertname} not re-sent within max_age; no longer counted`, region: a.target.region, endpoint: a.target.endpoint, at: now, detail: { fingerprint: a.fingerprint } }));
    const update = this.evaluate(now);
    return { events: [...events, ...update.events], viewChanged: update.viewChanged };
  }

  /** The earliest time tick() would change something, or undefined. */
  nextDeadline(): number | undefined {
    let next = this.alerts.nextExpiry();
    for (const r of this.regions.values()) if (r.recoveringUntil !== undefined && (next === undefined || r.recoveringUntil < next)) next = r.recoveringUntil;
    return next;
  }

  /** Every region and endpoint, for the admin API. */
  report(): RegionReport[] {
    return [...this.plan.regions.values()].map((spec) => ({
      region: spec.region,
      up: this.regions.get(spec.region)!.phase === 'up',
      state: this.regions.get(spec.region)!,
      minUp: spec.minUp,
      endpoints: spec.endpoints.map((e) => ({
        id: e.id,
        checked: e.check !== undefined,
        up: this.effective.get(key(spec.region, e.id)) === 'up',
        state: this.endpoints.get(key(spec.region, e.id))!,
        alert: this.alerts.holding(spec.region, e.id),
      })),
    }));
  }

  private resolveTarget(value: string): AlertTarget | string {
    if (this.plan.regions.has(value)) return { region: value, endpoint: undefined };
    const slash = value.indexOf('/');
    if (slash > 0) {
      const region = value.slice(0, slash);
      const endpoint = value.slice(slash + 1);
      if (this.plan.regions.get(region)?.endpoints.some((e) => e.id === endpoint)) return { region, endpoint };
      return `unknown region/endpoint ${JSON.stringify(value)}`;
    }
    const owners = [...this.plan.regions.values()].filter((r) => r.endpoints.some((e) => e.id === value));
    if (owners.length === 1) return { region: owners[0].region, endpoint: value };
    if (owners.length > 1) return `endpoint ${JSON.stringify(value)} exists in regions ${owners.map((o) => o.region).join(', ')}; name it as region/endpoint`;
    return `unknown region or endpoint ${JSON.stringify(value)}; known regions: ${[...this.plan.regions.keys()].join(', ')}`;
  }

  private effectiveOf(region: string, endpoint: string): Effective {
    if (this.alerts.holding(region, endpoint) !== undefined) return 'down';
    return this.endpoints.get(key(region, endpoint))!.phase;
  }

  /** Recomputes every endpoint and region at `now` and reports the transitions; `failed`: region -> a failed check of an up endpoint. */
  private evaluate(now: number, failed: ReadonlyMap<string, string> = new Map()): TrackerUpdate {
    const events: NewEvent[] = [];
    let viewChanged = false;
    for (const [name, spec] of this.plan.regions) {
      let up = 0;
      let steady = 0;
      let unknown = 0;
      for (const e of spec.endpoints) {
        const k = key(name, e.id);
        const next = this.effectiveOf(name, e.id);
        const prev = this.effective.get(k);
        if (next === 'up') up++;
        if (next === 'up' && (!e.check || this.endpoints.get(k)!.okStreak >= e.check.rise)) steady++;
        if (next === 'unknown') unknown++;
        if (next === prev) continue;
        this.effective.set(k, next);
        viewChanged = true;
        if (next === 'unknown') continue;
        const state = this.endpoints.get(k)!;
        const alert = this.alerts.holding(name, e.id);
        const cause =
          next === 'down'
            ? (alert ?? `${state.failStreak} failed check(s) in a row: ${state.lastDetail}`)
            : prev === 'unknown'
              ? `first check passed: ${state.lastDetail}`
              : state.okStreak > 0
                ? `${state.okStreak} good check(s) in a row: ${state.lastDetail}`
                : 'alert no longer firing';
        events.push({ type: next === 'up' ? 'endpoint_up' : 'endpoint_down', cause, region: name, endpoint: e.id, at: now, detail: LOCAL });
      }
      const prevRegion = this.regions.get(name)!;
      const inputs = { upEndpoints: up, steadyEndpoints: steady, failedCheck: failed.get(name), unknownEndpoints: unknown, totalEndpoints: spec.endpoints.length, minUp: spec.minUp, forcedDown: this.alerts.holding(name) ?? this.clusterDown.get(name) };
      const nextRegion = nextRegionState(prevRegion, inputs, now, this.plan.holdDownMs);
      if (nextRegion === prevRegion) continue;
      this.regions.set(name, nextRegion);
      if (nextRegion.phase === prevRegion.phase) continue;
      // steering reads up, and recovering (a rule whose traffic is on a recovering region keeps it)
      if ((prevRegion.phase === 'up') !== (nextRegion.phase === 'up') || (prevRegion.phase === 'recovering') !== (nextRegion.phase === 'recovering')) viewChanged = true;
      if (nextRegion.phase === 'up') events.push({ type: 'region_up', cause: nextRegion.cause, region: name, at: now, detail: { ...LOCAL, from: prevRegion.phase } });
      else if (nextRegion.phase === 'down' && prevRegion.phase === 'up') events.push({ type: 'region_down', cause: nextRegion.cause, region: name, at: now, detail: LOCAL });
      else if (nextRegion.phase === 'down' && prevRegion.phase === 'unknown') events.push({ type: 'region_down', cause: `first checks: ${nextRegion.cause}`, region: name, at: now, detail: LOCAL });
    }
    if (viewChanged) this.current = this.buildView();
    return { events, viewChanged };
  }

  private buildView(): HealthView {
    const upRegions = new Set<string>();
    const recovering = new Set<string>();
    const upEndpoints = new Map<string, Set<string>>();
    for (const [name, spec] of this.plan.regions) {
      const phase = this.regions.get(name)?.phase;
      if (phase === 'up') upRegions.add(name);
      if (phase === 'recovering') recovering.add(name);
      upEndpoints.set(name, new Set(spec.endpoints.filter((e) => this.effective.get(key(name, e.id)) === 'up').map((e) => e.id)));
    }
    // Regions the plan does not know (config changed under us) count as up: nothing checks them.
    return {
      regionUp: (region) => !upEndpoints.has(region) || upRegions.has(region),
      regionRecovering: (region) => recovering.has(region),
      endpointUp: (region, endpoint) => upEndpoints.get(region)?.has(endpoint) ?? true,
    };
  }
}
