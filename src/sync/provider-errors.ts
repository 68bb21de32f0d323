// The two ways a provider stops a whole run instead of failing one record. Both are thrown
// by DnsProvider.list/capacity and returned as ApplyResult.stoppedBy, and both mean "trying
// again record by record cannot help": the run ends with one message and the next attempt
// is scheduled by the refusal back-off or the rate-limit window, not by the retry timer.

/** Why no record could be written: the token, its permissions, the zone's record quota, or the zone itself. */
export type RefusalReason = 'auth' | 'permission' | 'quota' | 'zone';

/** What an operator reads: what was refused, why, and what to change. */
export interface RefusalDetail {
  readonly reason: RefusalReason;
  /** Provider error code (Cloudflare's `errors[].code`), when there was one. */
  readonly code: number | undefined;
  readonly what: string;
  readonly why: string;
  readonly fix: string;
}

/** A refusal that holds for every record of the zone: stop, report once, back off. */
export class ZoneRefusal extends Error {
  constructor(readonly detail: RefusalDetail) {
    super(`${detail.what}: ${detail.why}; ${detail.fix}`);
    this.name = 'ZoneRefusal';
  }
}

/** The request budget (ours or the provider's) has nothing left until `retryAt` (epoch ms). */
export class RateLimited extends Error {
  constructor(
    readonly retryAt: number,
    message: string,
  ) {
    super(message);
    this.name = 'RateLimited';
  }
}

/** Either kind of stop, as ApplyResult carries it. */
export type RunStop = ZoneRefusal | RateLimited;

/** True for the errors that stop a run as a whole. */
export function isRunStop(err: unknown): err is RunStop {
  return err instanceof ZoneRefusal || err instanceof RateLimited;
}
