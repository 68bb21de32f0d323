import { setTimeout as delay } from 'node:timers/promises';

/** The clock and timers the sync runs on; a parameter so tests drive time instead of waiting. */
export interface SyncTimers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
  /** Resolves after `ms`; rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall clock and Node timers; none of them keeps the process alive. */
export const REAL_TIMERS: SyncTimers = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
  sleep: (ms, signal) => delay(ms, undefined, { signal, ref: false }),
};
