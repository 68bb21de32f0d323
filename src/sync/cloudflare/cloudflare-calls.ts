import type { Logger } from '../../shared/logger.js';
import { RateLimited, ZoneRefusal } from '../provider-errors.js';
import type { RequestBudget } from '../request-budget.js';
import type { RequestKind, SyncObserver } from '../sync-observer.js';
import type { SyncTimers } from '../sync-timers.js';
import { classifyCloudflareError, type CloudflareFailure, type ErrorContext } from './cloudflare-errors.js';
import { retryAfterMs, serverBudget } from './ratelimit-headers.js';

// Every Cloudflare request goes through send(): it takes a token from the shared budget
// first (pausing when the wait is short, ending the run with RateLimited when it is not),
// feeds the server's `Ratelimit` count back into the budget, turns a 429 into a block for
// every instance until its Retry-After, and retries 5xx and resets only where repeating the
// request is harmless (GET, PUT by id, DELETE by id). A POST whose answer was lost is not
// repeated here: the caller re-reads the zone and keeps what landed (batch-apply.ts).

/** Limits of one request. */
export interface CallRules {
  /** Longest pause inside a run (budget or Retry-After); a longer one ends the run until then. */
  readonly maxWaitMs: number;
  /** Attempts per request, the first included. */
  readonly attempts: number;
  /** First back-off after a 5xx or a reset (doubles per attempt). */
  readonly baseDelayMs: number;
  /** Retry-After assumed when a 429 carries none. */
  readonly defaultRetryAfterMs: number;
}

/** Production defaults: pause at most 30 s, 5 attempts, 1 s doubling, 30 s without Retry-After. */
export const DEFAULT_CALL_RULES: CallRules = { maxWaitMs: 30_000, attempts: 5, baseDelayMs: 1000, defaultRetryAfterMs: 30_000 };

/** A request that failed for good, for this record or for now (zone-wide refusals are ZoneRefusal). */
export class CloudflareCallError extends Error {
  constructor(
    readonly failure: Extract<CloudflareFailure, { kind: 'record' | 'transient' }>,
    options: { cause: unknown },
  ) {
    super(failure.kind === 'record' ? failure.message : `Cloudflare unavailable: ${(options.cause as Error)?.message ?? options.cause}`, options);
    this.name = 'CloudflareCallError';
  }
}

/** A request as the SDK builds it: anything with withResponse(). */
export interface SdkRequest<T> {
  withResponse(): Promise<{ data: T; response: Response }>;
}

/** What send() needs. */
export interface CallDeps {
  readonly budget: RequestBudget;
  readonly timers: SyncTimers;
  readonly observer: SyncObserver;
  readonly log: Logger;
  readonly rules: CallRules;
  readonly context: Omit<ErrorContext, 'write'>;
  readonly random: () => number;
}

/** The request discipline of the Cloudflare provider. */
export class CloudflareCalls {
  constructor(private readonly deps: CallDeps) {}

  /** Sends one request (see the header); `idempotent` allows repeating it after a 5xx or reset. */
  async send<T>(kind: RequestKind, request: (signal: AbortSignal | undefined) => SdkRequest<T>, opts: { idempotent: boolean; signal?: AbortSignal }): Promise<T> {
    const { budget, timers, observer, log, rules } = this.deps;
    const write = kind !== 'list' && kind !== 'usage';
    for (let attempt = 1; ; attempt++) {
      await this.admit(opts.signal);
      try {
        const { data, response } = await request(opts.signal).withResponse();
        observer.request(kind, 'ok');
        await this.observeServer(response.headers);
        return data;
      } catch (err) {
        const failure = classifyCloudflareError(err, { ...this.deps.context, write });
        if (failure.kind === 'aborted') throw err;
        observer.request(kind, failure.kind === 'rate_limited' ? 'rate_limited' : 'error');
        await this.observeServer((err as { headers?: Headers }).headers);
        if (failure.kind === 'rate_limited') {
          const waitMs = retryAfterMs(failure.headers, timers.now()) ?? rules.defaultRetryAfterMs;
          const until = timers.now() + waitMs;
          await budget.blockUntil(until);
          log.warn({ kind, attempt, retryAfterSeconds: waitMs / 1000 }, 'cloudflare answered 429: every instance on this budget waits for Retry-After');
          if (attempt < rules.attempts) continue;
          throw new RateLimited(until, `Cloudflare answered 429 to ${attempt} attempts in a row; next attempt at ${new Date(until).toISOString()}`);
        }
        if (failure.kind === 'refused') throw new ZoneRefusal(failure.refusal);
        if (failure.kind === 'transient' && opts.idempotent && attempt < rules.attempts) {
          const delay = rules.baseDelayMs * 2 ** (attempt - 1) * (0.75 + 0.25 * this.deps.random());
          await timers.sleep(delay, opts.signal);
          continue;
        }
        throw new CloudflareCallError(failure, { cause: err });
      }
    }
  }

  /** Takes a budget token, pausing up to maxWaitMs per wait; a longer wait ends the run. */
  private async admit(signal: AbortSignal | undefined): Promise<void> {
    const { budget, timers, observer, log, rules } = this.deps;
    for (let round = 0; round < 10_000; round++) {
      signal?.throwIfAborted();
      const waitMs = await budget.take();
      if (waitMs === 0) return;
      if (waitMs > rules.maxWaitMs) {
        const until = timers.now() + waitMs;
        throw new RateLimited(until, `Cloudflare requests are paused until ${new Date(until).toISOString()} (request budget or Retry-After); longer than budget.max_wait, so this run stops here`);
      }
      observer.rateLimitWait(waitMs);
      if (waitMs >= 1000) log.info({ waitMs }, 'cloudflare request budget: pausing');
      await timers.sleep(waitMs, signal);
    }
    throw new RateLimited(timers.now() + rules.maxWaitMs, 'Cloudflare request budget: no token after 10000 waits');
  }

  private async observeServer(headers: Headers | undefined): Promise<void> {
    const server = serverBudget(headers);
    if (server) await this.deps.budget.observe(server.remaining, server.resetMs);
  }
}
