import type { LoadedConfig } from '../config/load.js';
import { resolveHealthPlan } from '../config/health-checks.js';
import { parseListenAddress } from '../config/schema.js';
import type { EventLog } from '../events/event-log.js';
import { ConfigError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { HealthView } from '../steering/region-status.js';
import { startAlertListener, type AlertListener } from './alert-listener.js';
import { HealthMonitor } from './health-monitor.js';

/** The part of the App the health subsystem talks to. */
export interface HealthSink {
  setHealth(view: HealthView, reason: string): void;
  readonly events: EventLog;
}

/** Health checks and the Alertmanager webhook as the CLI runs them. */
export interface HealthService {
  /** Undefined when the config has neither checks nor an Alertmanager section. */
  readonly monitor: HealthMonitor | undefined;
  readonly alerts: AlertListener | undefined;
  /** The Alertmanager webhook's bearer token, for mounting the route on the admin server too. */
  readonly alertToken: string | undefined;
  /** Applies a reloaded config's checks (a new alertmanager section needs a restart). */
  reload(loaded: LoadedConfig): void;
  close(): Promise<void>;
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
 * Starts checks (when any region has them) and the standalone webhook listener (when
 * health.alertmanager.listen is set), and feeds `sink`. With startup: wait_for_checks it
 * resolves after the first round of checks, so the caller can listen on DNS only then.
 */
export async function startHealthService(loaded: LoadedConfig, sink: HealthSink, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<HealthService> {
  const { plan } = resolveHealthPlan(loaded.config);
  const am = loaded.config.health.alertmanager;
  const token = alertmanagerToken(loaded, env);
  if (!plan.hasChecks && !am) {
    return { monitor: undefined, alerts: undefined, alertToken: undefined, reload: () => log.warn({}, 'health checks added by a reload need a restart'), close: async () => {} };
  }
  const monitor = new HealthMonitor({
    plan,
    events: sink.events,
    log: log.child({ module: 'health' }),
    onChange: (view, reason) => sink.setHealth(view, reason),
    alertLabel: am?.label,
    alertMaxAgeMs: am?.max_age,
  });
  // assume_up: the first view is all up, which is what the app starts with; wait_for_checks:
  // the monitor publishes its first view once every target has one result.
  const firstRound = monitor.start();
  if (plan.startup === 'wait_for_checks') {
    await firstRound;
    log.info({ regions: monitor.report().map((r) => ({ region: r.region, phase: r.state.phase })) }, 'first health checks done');
  }
  let alerts: AlertListener | undefined;
  const listen = am?.listen !== undefined ? parseListenAddress(am.listen) : undefined;
  if (listen && token !== undefined) {
    try {
      alerts = await startAlertListener(listen, { token, receiver: monitor }, log);
    } catch (err) {
      monitor.stop();
      throw err;
    }
  }
  return {
    monitor,
    alerts,
    alertToken: token,
    reload: (next) => monitor.setPlan(resolveHealthPlan(next.config).plan),
    close: async () => {
      monitor.stop();
      await alerts?.close();
    },
  };
}
