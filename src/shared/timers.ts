// Timers as a parameter, like the clock: the health monitor schedules its checks and its
// hold-down deadline through this, so a test can replay minutes of checks in milliseconds
// with a manual clock instead of sleeping.

/** An opaque handle returned by `Timers.setTimeout`. */
export type TimerHandle = unknown;

/** Schedules callbacks; `realTimers` in production, a manual clock in tests. */
export interface Timers {
  /** Calls `fn` once after `delayMs` milliseconds. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a pending callback; a handle that already fired or is undefined is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** Node's timers, unref'd so a pending check never keeps the process alive. */
export const realTimers: Timers = {
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
