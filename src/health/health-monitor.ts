import type { CheckSpec, HealthPlan } from '../config/health-checks.js';
import type { EventLog, NewEvent } from '../events/event-log.js';
import type { Logger } from '../shared/logger.js';
import { realTimers, type TimerHandle, type Timers } from '../shared/timers.js';
import type { HealthView } from '../steering/region-status.js';
import type { Random } from '../steering/types.js';
import type { AlertChange } from './alert-book.js';
import type { AlertInput } from './alert-payload.js';
import { HealthTracker, type RegionReport } from './health-tracker.js';
import { probe as realProbe, type Prober } from './prober.js';

// Runs the checks on timers (never on the DNS path), feeds the tracker, records its events
// and hands every new HealthView to `onChange` (App.setHealth), which swaps the snapshot.

/** Told about each finished check (metrics implement it; health needs no prom-client). */
export interface HealthCheckObserver {
  /** One finished check of an endpoint: how long it took and whether it passed. */
  checked(region: string, endpoint: string, seconds: number, ok: boolean): void;
}

/** What the monitor is built from. */
export interface HealthMonitorOptions {
  readonly plan: HealthPlan;
  readonly events: EventLog;
  readonly log: Logger;
  /** Called with the new view on every transition that changes what steering sees. */
  readonly onChange: (view: HealthView, reason: string) => void;
  /** Alert label naming a region or endpoint (health.alertmanager.label). */
  readonly alertLabel?: string;
  /** health.alertmanager.max_age in ms. */
  readonly alertMaxAgeMs?: number;
  readonly prober?: Prober;
  /** Every check's duration and result (geosteer_health_check_duration_seconds). */
  readonly observer?: HealthCheckObserver;
  readonly now?: () => number;
  /** A monotonic clock in milliseconds for check durations (default performance.now). */
  readonly elapsed?: () => number;
  /** Where checks and the hold-down deadline are scheduled; a manual clock in tests. */
  readonly timers?: Timers;
  readonly random?: Random;
}

/** Receives parsed Alertmanager alerts (the webhook route calls this). */
export interface AlertReceiver {
  applyAlerts(alerts: readonly AlertInput[]): AlertChange;
}

/** One distinct check target and the endpoints that share its results. */
interface Target {
  readonly spec: CheckSpec;
  readonly endpoints: { region: string; endpoint: string }[];
  timer: TimerHandle | undefined;
  checked: boolean;
}

/** Active health checks plus alerts for every region of a plan. */
export class HealthMonitor implements AlertReceiver {
  private tracker: HealthTracker;
  private targets = new Map<string, Target>();
  private deadline: TimerHandle | undefined;
  private running = false;
  /** Bumped on stop and re-plan, so late probe results of an old round are dropped. */
  private round = 0;
  private firstRound: { resolve: () => void; promise: Promise<void> } | undefined;
  /** False until the first round is done under startup: wait_for_checks; views are held back until then. */
  private publishing: boolean;
  private readonly now: () => number;
  private readonly random: Random;
  private readonly timers: Timers;
  private readonly prober: Prober;
  private readonly alertLabel: string;
  private readonly alertMaxAgeMs: number;

  constructor(private opts: HealthMonitorOptions) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.timers = opts.timers ?? realTimers;
    this.prober = opts.prober ?? realProbe;
    this.alertLabel = opts.alertLabel ?? 'region';
    this.alertMaxAgeMs = opts.alertMaxAgeMs ?? 3_600_000;
    this.tracker = new HealthTracker(opts.plan, this.alertLabel, this.alertMaxAgeMs, this.now());
    this.targets = targetsOf(opts.plan);
    this.publishing = opts.plan.startup !== 'wait_for_checks';
  }

  /** The view to build the app with and to read now. */
  view(): HealthView {
    return this.tracker.view();
  }

  /** Regions and endpoints with their states, for the admin API. */
  report(): RegionReport[] {
    return this.tracker.report();
  }

  /**
   * Starts the checks. Resolves once every target has one result (at most about one
   * timeout plus the start jitter later), which startup: wait_for_checks awaits before
   * DNS listens.
   */
  start(): Promise<void> {
    if (this.running) return this.firstRound?.promise ?? Promise.resolve();
    this.running = true;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstRound = { resolve, promise };
    for (const t of this.targets.values()) {
      // Spread the first checks over the jitter window so targets do not fire together.
      this.schedule(t, this.random() * this.opts.plan.jitter * t.spec.intervalMs);
    }
    this.checkFirstRound();
    return promise;
  }

  /** Stops every timer; results of checks still in flight are dropped. */
  stop(): void {
    this.running = false;
    this.round++;
    for (const t of this.targets.values()) this.timers.clearTimeout(t.timer);
    this.timers.clearTimeout(this.deadline);
    this.firstRound?.resolve();
  }

  /** Switches to a reloaded config's plan; states of unchanged checks and active alerts are kept. */
  setPlan(plan: HealthPlan): void {
    const wasRunning = this.running;
    this.stop();
    this.opts = { ...this.opts, plan };
    this.tracker = new HealthTracker(plan, this.alertLabel, this.alertMaxAgeMs, this.now(), this.tracker);
    this.publishing = true;
    this.targets = targetsOf(plan);
    this.opts.onChange(this.tracker.view(), 'health plan reloaded');
    if (wasRunning) void this.start();
  }

  /** Applies Alertmanager alerts now; returns what changed (the webhook's reply). */
  /** The cluster's readiness of a region (see HealthTracker.setClusterReadiness). */
  setClusterReadiness(region: string, state: 'ready' | 'not_ready' | 'unknown', detail: string): void {
    const update = this.tracker.setClusterReadiness(region, state, detail, this.now());
    this.publish(update.events, update.viewChanged);
  }

  applyAlerts(alerts: readonly AlertInput[]): AlertChange {
    const { change, ...update } = this.tracker.applyAlerts(alerts, this.now());
    this.publish(update.events, update.viewChanged);
    return change;
  }

  private schedule(t: Target, delayMs: number): void {
    const round = this.round;
    t.timer = this.timers.setTimeout(() => {
      t.timer = undefined;
      const elapsed = this.opts.elapsed ?? performance.now.bind(performance);
      const started = elapsed();
      const done = (obs: { ok: boolean; detail: string }) => {
        if (round === this.round && this.running) this.observeDuration(t, (elapsed() - started) / 1000, obs.ok);
        this.onResult(t, round, obs);
      };
      this.prober(t.spec).then(done, (err: unknown) => done({ ok: false, detail: `prober failed: ${String(err)}` }));
    }, delayMs);
  }

  private observeDuration(t: Target, seconds: number, ok: boolean): void {
    const observer = this.opts.observer;
    if (observer) for (const e of t.endpoints) observer.checked(e.region, e.endpoint, seconds, ok);
  }

  private onResult(t: Target, round: number, obs: { ok: boolean; detail: string }): void {
    if (round !== this.round || !this.running) return;
    const u = this.tracker.observe(t.endpoints, obs, this.now());
    this.publish(u.events, u.viewChanged);
    t.checked = true;
    this.checkFirstRound();
    const jitter = this.opts.plan.jitter * (2 * this.random() - 1);
    this.schedule(t, Math.max(0, t.spec.intervalMs * (1 + jitter)));
  }

  private checkFirstRound(): void {
    if (![...this.targets.values()].every((t) => t.checked)) return;
    if (!this.publishing) {
      // wait_for_checks: the first complete round is published as one view, never a half-checked one.
      this.publishing = true;
      this.opts.onChange(this.tracker.view(), 'first health checks done');
    }
    this.firstRound?.resolve();
  }

  /** Records events, swaps the view in, and re-arms the hold-down / alert-expiry timer. */
  private publish(events: NewEvent[], viewChanged: boolean): void {
    for (const e of events) this.opts.events.record(e);
    if (viewChanged && this.publishing) {
      const reason = events.filter((e) => e.type.startsWith('region_')).concat(events).map((e) => `${e.type} ${e.region ?? ''}${e.endpoint ? `/${e.endpoint}` : ''}: ${e.cause}`)[0] ?? 'health change';
      this.opts.onChange(this.tracker.view(), reason);
    }
    this.armDeadline();
  }

  private armDeadline(): void {
    this.timers.clearTimeout(this.deadline);
    this.deadline = undefined;
    const at = this.tracker.nextDeadline();
    if (at === undefined) return;
    // Timers cap at about 24.8 days; a later deadline is simply re-armed when this one fires.
    this.deadline = this.timers.setTimeout(() => {
      const u = this.tracker.tick(this.now());
      this.publish(u.events, u.viewChanged);
    }, Math.min(Math.max(0, at - this.now()), 2 ** 31 - 1));
  }
}

function targetsOf(plan: HealthPlan): Map<string, Target> {
  const targets = new Map<string, Target>();
  for (const [region, spec] of plan.regions) {
    for (const e of spec.endpoints) {
      if (!e.check) continue;
      const t = targets.get(e.check.key) ?? { spec: e.check, endpoints: [], timer: undefined, checked: false };
      t.endpoints.push({ region, endpoint: e.id });
      targets.set(e.check.key, t);
    }
  }
  return targets;
}
