import { resolveHealthPlan, type HealthPlan } from '../config/health-checks.js';
import type { LoadedConfig } from '../config/load.js';
import type { EventLog } from '../events/event-log.js';
import { ConfigError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Timers } from '../shared/timers.js';
import type { StateStore } from '../state/state-store.js';
import { ALL_UP, type HealthView } from '../steering/region-status.js';
import type { Random } from '../steering/types.js';
import type { AlertChange } from './alert-book.js';
import type { AlertInput } from './alert-payload.js';
import { HealthMonitor, type AlertReceiver, type HealthCheckObserver } from './health-monitor.js';
import { HealthPublisher } from './health-publisher.js';
import { targetsFromHealthView, type QuorumHealthView } from './health-quorum.js';
import { quorumTransitions } from './quorum-transitions.js';
import type { RegionReport } from './health-tracker.js';
import type { Prober } from './prober.js';

/** Shared health: where observations go and how the quorum is counted (state.store: redis). */
export interface SharedHealth {
  readonly store: StateStore;
  readonly instance: string;
  readonly heartbeatMs: number;
  readonly ttlMs: number;
  readonly quorum?: number;
}

/** What the health service is built from. */
export interface HealthServiceOptions {
  readonly config: LoadedConfig;
  readonly events: EventLog;
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Receives every new health view steering should use (the control plane's health input). */
  readonly onView: (view: HealthView, reason: string) => void;
  /** With shared state: this instance's checks feed a quorum of instances instead of steering directly. */
  readonly shared?: SharedHealth;
  readonly observer?: HealthCheckObserver;
  readonly prober?: Prober;
  readonly now?: () => number;
  readonly timers?: Timers;
  readonly random?: Random;
}

/** The bearer token of health.alertmanager, from the file or the environment; throws ConfigError when unset. */
export function alertmanagerToken(loaded: LoadedConfig, env: NodeJS.ProcessEnv): string | undefined {
  const am = loaded.config.health.alertmanager;
  if (!am) return undefined;
  if (am.token !== undefined) return am.token;
  const value = env[am.token_env!];
  if (value === undefined || value.length < 16) {
    throw new ConfigError(loaded.source, [`health.alertmanager.token_env: environment variable ${am.token_env} is ${value === undefined ? 'not set' : 'shorter than 16 characters'}; export it or set health.alertmanager.token`]);
  }
  return value;
}

/**
 * Health as one input of the control plane: active checks and Alertmanager alerts (a
 * HealthMonitor, when the config has either), and with shared state the quorum of every
 * instance's observations (a HealthPublisher). A reload re-plans the checks, adding or
 * removing the monitor as the new config asks; the webhook routes keep this object as their
 * receiver, so they follow.
 */
export class HealthService implements AlertReceiver {
  private monitor: HealthMonitor | undefined;
  private publisher: HealthPublisher | undefined;
  private localView: HealthView = ALL_UP;
  /** The last quorum view handed to steering (undefined: none yet, everything up). */
  private quorumView: QuorumHealthView | undefined;
  private config: LoadedConfig;
  private token: string | undefined;
  private running = false;
  private firstRound: Promise<void> = Promise.resolve();

  constructor(private readonly opts: HealthServiceOptions) {
    this.config = opts.config;
    this.token = alertmanagerToken(opts.config, opts.env);
  }

  /** The Alertmanager webhook's bearer token (undefined: no webhook). */
  get alertToken(): string | undefined {
    return this.token;
  }

  /** True when the config has checks or an Alertmanager section, so the webhook has somewhere to go. */
  get receivesAlerts(): boolean {
    return this.config.config.health.alertmanager !== undefined;
  }

  /** Resolves once every check target has a first result (at once without checks). */
  firstChecks(): Promise<void> {
    return this.firstRound;
  }

  /** Every region's and endpoint's health state (empty without checks and alerts). */
  report(): RegionReport[] {
    return this.monitor?.report() ?? [];
  }

  /**
   * Starts checks and, with shared state, the observation exchange. Under startup:
   * wait_for_checks it resolves after the first round, so DNS can listen only then.
   */
  async start(): Promise<void> {
    this.running = true;
    const { shared } = this.opts;
    if (shared) {
      this.publisher = new HealthPublisher({
        store: shared.store,
        instance: shared.instance,
        localTargets: () => targetsFromHealthView(this.localView, this.config.model.regions),
        onView: (view) => this.quorum(view),
        heartbeatMs: shared.heartbeatMs,
        ttlMs: shared.ttlMs,
        quorum: shared.quorum,
        log: this.opts.log,
      });
      this.publisher.start();
    }
    await this.startMonitor(resolveHealthPlan(this.config.config).plan);
  }

  /** Stops checks and the exchange; late results are dropped. */
  async stop(): Promise<void> {
    this.running = false;
    this.monitor?.stop();
    this.publisher?.stop();
  }

  /** Applies a reloaded config: new checks, plan and token; throws ConfigError (changing nothing) when its token is unset. */
  reload(next: LoadedConfig): void {
    const token = alertmanagerToken(next, this.opts.env);
    this.config = next;
    this.token = token;
    const { plan } = resolveHealthPlan(next.config);
    if (!needsMonitor(plan, next)) {
      if (!this.monitor) return;
      this.monitor.stop();
      this.monitor = undefined;
      this.local(ALL_UP, 'health checks removed by a reload');
      return;
    }
    if (this.monitor) this.monitor.setPlan(plan);
    else if (this.running) void this.startMonitor(plan);
  }

  /** The cluster's readiness of a region (sources: Kubernetes EndpointSlices); `not_ready` holds it down like an alert. */
  setClusterReadiness(region: string, readiness: { readonly state: 'ready' | 'not_ready' | 'unknown'; readonly detail: string }): void {
    this.monitor?.setClusterReadiness(region, readiness.state, readiness.detail);
  }

  /** Applies Alertmanager alerts (the webhook routes call this). */
  applyAlerts(alerts: readonly AlertInput[]): AlertChange {
    if (!this.monitor) return { fired: [], resolved: [], refreshed: 0, ignored: alerts.map((a) => ({ fingerprint: a.fingerprint, reason: 'health.alertmanager is not configured' })) };
    return this.monitor.applyAlerts(alerts);
  }

  private async startMonitor(plan: HealthPlan): Promise<void> {
    const am = this.config.config.health.alertmanager;
    if (!needsMonitor(plan, this.config)) return;
    const monitor = new HealthMonitor({
      plan,
      events: this.opts.events,
      log: this.opts.log.child({ module: 'health' }),
      onChange: (view, reason) => this.local(view, reason),
      alertLabel: am?.label,
      alertMaxAgeMs: am?.max_age,
      observer: this.opts.observer,
      prober: this.opts.prober,
      now: this.opts.now,
      timers: this.opts.timers,
      random: this.opts.random,
    });
    this.monitor = monitor;
    // assume_up: the first view is all up, what steering starts with; wait_for_checks: the
    // monitor publishes its first view once every target has a result.
    this.firstRound = monitor.start();
    if (plan.startup === 'wait_for_checks') {
      await this.firstRound;
      this.opts.log.info({ regions: monitor.report().map((r) => ({ region: r.region, phase: r.state.phase })) }, 'first health checks done');
    }
  }

  /** A new quorum view: record the verdicts it changes (every instance does, whatever it saw itself), then hand it to steering. */
  private quorum(view: QuorumHealthView): void {
    const events = quorumTransitions(this.quorumView, view, this.config.model.regions, (this.opts.now ?? Date.now)());
    this.quorumView = view;
    for (const e of events) this.opts.events.record(e);
    const first = events.find((e) => e.type.startsWith('region_')) ?? events[0];
    this.opts.onView(view, first ? `quorum ${first.type} ${first.region}${first.endpoint ? `/${first.endpoint}` : ''}` : 'health quorum');
  }

  /** This instance's own view changed: straight to steering, or into the quorum. */
  private local(view: HealthView, reason: string): void {
    this.localView = view;
    if (this.publisher) void this.publisher.localChanged();
    else this.opts.onView(view, reason);
  }
}

/** A monitor runs when something can mark a region down: checks, Alertmanager, or the cluster's readiness. */
function needsMonitor(plan: HealthPlan, loaded: LoadedConfig): boolean {
  const readiness = Object.values(loaded.config.sources?.kubernetes?.regions ?? {}).some((r) => r.readiness !== undefined);
  return plan.hasChecks || loaded.config.health.alertmanager !== undefined || readiness;
}
