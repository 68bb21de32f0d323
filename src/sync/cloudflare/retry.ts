// Bounded retry for provider calls: a fixed number of attempts within a time budget,
// waiting what a 429's Retry-After asks (up to a cap) and backing off exponentially on 5xx
// and connection errors. The SDK's own retries are off (maxRetries: 0) because they obey
// Retry-After without any upper bound.

/** Retry limits; every field has a production default, tests pass tiny delays. */
export interface RetryOptions {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  /** First backoff for 5xx and connection errors (doubles per attempt). */
  readonly baseDelayMs: number;
  /** Longest single wait, whatever the server asks for. */
  readonly maxDelayMs: number;
  /** Give up once this much time has passed since the first attempt. */
  readonly maxTotalMs: number;
  /** Waits; a parameter so tests control time. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
}

/** Production defaults: 5 attempts, 1 s doubling to 30 s, at most 2 minutes per call. */
export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxTotalMs: 120_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
  random: Math.random,
};

/** How a failure should be treated: retried after `delayMs`, or given up on. */
export type RetryVerdict = { retry: true; delayMs: number | undefined } | { retry: false };

/**
 * Runs `call` until it succeeds, `classify` says stop, or the attempts or time run out; the
 * last error is rethrown. `delayMs` undefined means exponential backoff with jitter.
 */
export async function withRetry<T>(call: () => Promise<T>, classify: (err: unknown) => RetryVerdict, opts: RetryOptions): Promise<T> {
  const started = opts.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const verdict = classify(err);
      if (!verdict.retry || attempt >= opts.maxAttempts) throw err;
      const backoff = opts.baseDelayMs * 2 ** (attempt - 1) * (0.75 + 0.25 * opts.random());
      const delay = Math.min(verdict.delayMs ?? backoff, opts.maxDelayMs);
      if (opts.now() - started + delay > opts.maxTotalMs) throw err;
      await opts.sleep(delay);
    }
  }
}
