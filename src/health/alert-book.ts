import type { AlertInput } from './alert-payload.js';

// The firing alerts that hold regions or endpoints down, keyed by fingerprint. An alert
// counts until Alertmanager resolves it or it has not been re-sent for max_age (a lost
// "resolved" must not keep a region out of rotation for ever).

/** What an alert holds down. */
export interface AlertTarget {
  readonly region: string;
  /** Set when the alert names one endpoint rather than the whole region. */
  readonly endpoint: string | undefined;
}

/** A firing alert as kept. */
export interface ActiveAlert {
  readonly fingerprint: string;
  readonly target: AlertTarget;
  readonly alertname: string;
  /** When it was last received firing (refreshes with every re-send). */
  readonly receivedAt: number;
}

/** An alert of a post that changed nothing, and why. */
export interface IgnoredAlert {
  readonly fingerprint: string;
  readonly reason: string;
}

/** What a post did: alerts applied and alerts ignored. */
export interface AlertChange {
  readonly fired: ActiveAlert[];
  readonly resolved: ActiveAlert[];
  readonly refreshed: number;
  readonly ignored: IgnoredAlert[];
}

/** Finds the region or endpoint a label value names: "region", "endpoint" (unique across regions) or "region/endpoint". */
export type TargetResolver = (value: string) => AlertTarget | string;

/** Active alerts by fingerprint; all methods take the time as a parameter. */
export class AlertBook {
  private readonly active = new Map<string, ActiveAlert>();

  constructor(
    private readonly label: string,
    private readonly maxAgeMs: number,
  ) {}

  /** Applies a post's alerts; unknown targets and alerts without the label are ignored (and reported). */
  apply(alerts: readonly AlertInput[], resolve: TargetResolver, now: number): AlertChange {
    const change = { fired: [] as ActiveAlert[], resolved: [] as ActiveAlert[], refreshed: 0, ignored: [] as IgnoredAlert[] };
    for (const a of alerts) {
      if (a.status === 'resolved') {
        const was = this.active.get(a.fingerprint);
        if (was) {
          this.active.delete(a.fingerprint);
          change.resolved.push(was);
        }
        continue;
      }
      const value = a.labels[this.label];
      if (value === undefined) {
        change.ignored.push({ fingerprint: a.fingerprint, reason: `no ${this.label} label` });
        continue;
      }
      const target = resolve(value);
      if (typeof target === 'string') {
        change.ignored.push({ fingerprint: a.fingerprint, reason: target });
        continue;
      }
      const alert: ActiveAlert = { fingerprint: a.fingerprint, target, alertname: a.labels.alertname ?? '(no alertname)', receivedAt: now };
      if (this.active.has(a.fingerprint)) change.refreshed++;
      else change.fired.push(alert);
      this.active.set(a.fingerprint, alert);
    }
    return change;
  }

  /** Drops alerts older than max_age and returns them. */
  expire(now: number): ActiveAlert[] {
    const expired: ActiveAlert[] = [];
    for (const [fp, a] of this.active) {
      if (now - a.receivedAt >= this.maxAgeMs) {
        this.active.delete(fp);
        expired.push(a);
      }
    }
    return expired;
  }

  /** When the oldest alert expires, or undefined with none active. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const a of this.active.values()) if (next === undefined || a.receivedAt + this.maxAgeMs < next) next = a.receivedAt + this.maxAgeMs;
    return next;
  }

  /** The cause text when an alert holds the target down, else undefined. */
  holding(region: string, endpoint?: string): string | undefined {
    for (const a of this.active.values()) {
      if (a.target.region === region && a.target.endpoint === endpoint) return `alert ${a.alertname} firing (${this.label}=${endpoint ? `${region}/${endpoint}` : region})`;
    }
    return undefined;
  }

  /** Every active alert, oldest first. */
  list(): ActiveAlert[] {
    return [...this.active.values()];
  }
}
