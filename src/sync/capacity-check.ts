import type { ZoneCapacity } from './dns-provider.js';
import type { RefusalDetail } from './provider-errors.js';

// Before writing, the records a plan adds are counted against the zone's record quota
// (Free zones hold 200 or 1000 records by age, paid plans 3500 and more). When they do not
// fit, no record is created at all: a half-published name is worse than none, and each
// refused create would cost a request and a warning every run.

/** How far a plan overshoots the zone's quota. */
export interface QuotaShortfall {
  readonly quota: number;
  readonly used: number;
  /** Records the plan adds (claims and registry records included, deletes subtracted). */
  readonly adds: number;
  readonly doNotFit: number;
}

/** The shortfall of adding `adds` records, or undefined when they fit (or the quota is unknown). */
export function quotaShortfall(adds: number, capacity: ZoneCapacity | undefined): QuotaShortfall | undefined {
  if (!capacity || capacity.quota === undefined || adds <= 0) return undefined;
  const free = Math.max(0, capacity.quota - capacity.used);
  return adds > free ? { quota: capacity.quota, used: capacity.used, adds, doNotFit: adds - free } : undefined;
}

/** The refusal an operator reads for a shortfall in `zone`. */
export function quotaRefusal(s: QuotaShortfall, zone: string): RefusalDetail {
  return {
    reason: 'quota',
    code: undefined,
    what: `${s.doNotFit} of the ${s.adds} records this plan adds do not fit in zone ${zone}`,
    why: `the zone holds ${s.used} of its ${s.quota} records (plan quota); nothing was created, updates and deletes went ahead`,
    fix: "raise the zone's record limit (plan), delete records you no longer need, or publish fewer names (sync.cloudflare.names)",
  };
}
