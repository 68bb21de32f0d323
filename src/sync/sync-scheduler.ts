import type { SyncTimers } from './sync-timers.js';

// When passes happen, and nothing else (ExternalDNS keeps this apart from the pass, as
// Controller.ShouldRunOnce vs RunOnce). One pass at a time; requests during a pass fold into
// one follow-up; after each pass the next is armed at the interval or at what the pass asks
// (a retry, a back-off, a rate-limit window). While a pass asked to be held off (refused,
// rate limited, failed), snapshot changes wait for that attempt instead of spending
// requests on a zone that will say no again. stop() aborts the pass in progress and
// resolves only when it has returned: no provider call starts after stop() resolved, and a
// caller that joined a running pass never falls through to another one.

/** What a pass tells the scheduler about the next one. */
export interface PassVerdict {
  /** Run again this soon (ms); the interval when absent. */
  readonly retryInMs?: number;
  /** Snapshot changes wait for that retry instead of triggering earlier passes. */
  readonly hold?: boolean;
}

/** What a SyncScheduler runs and how often. */
export interface SchedulerOptions {
  readonly timers: SyncTimers;
  readonly intervalMs: number;
  readonly debounceMs: number;
  /** One pass; the signal aborts when stop() is called. */
  readonly pass: (reason: string, signal: AbortSignal) => Promise<PassVerdict>;
  /** Told when the next pass is due (epoch ms). */
  readonly onNextAttempt?: (at: number | undefined) => void;
}

/** Schedules passes (see the header). */
export class SyncScheduler {
  private pending: string | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private readonly controller = new AbortController();
  private cancelNext: (() => void) | undefined;
  private cancelDebounce: (() => void) | undefined;
  private holdUntil = 0;
  private nextAt: number | undefined;

  constructor(private readonly opts: SchedulerOptions) {}

  /** Runs the first pass now; the interval follows from there. */
  start(): void {
    void this.kick('start');
  }

  /** The desired records changed: a pass after the debounce, unless one is being held off. */
  changed(reason: string): void {
    if (this.stopped) return;
    this.cancelDebounce?.();
    this.cancelDebounce = this.opts.timers.setTimeout(() => {
      this.cancelDebounce = undefined;
      if (this.opts.timers.now() >= this.holdUntil) void this.kick(reason);
    }, this.opts.debounceMs);
  }

  /** Runs a pass now (ignoring any hold), or joins the running one plus one follow-up. */
  runNow(reason: string): Promise<void> {
    return this.kick(reason);
  }

  /** When the next pass is due, if one is armed. */
  nextAttemptAt(): number | undefined {
    return this.nextAt;
  }

  /** Stops every timer, aborts the pass in progress and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelNext?.();
    this.cancelDebounce?.();
    this.pending = undefined;
    this.controller.abort(new Error('sync stopped'));
    await this.loop;
    this.setNext(undefined);
  }

  private kick(reason: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.pending ??= reason;
    this.loop ??= this.drain().finally(() => {
      this.loop = undefined;
    });
    return this.loop;
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined && !this.stopped) {
      const reason = this.pending;
      this.pending = undefined;
      let verdict: PassVerdict;
      try {
        verdict = await this.opts.pass(reason, this.controller.signal);
      } catch {
        verdict = {};
      }
      if (this.stopped) return;
      this.arm(verdict);
    }
  }

  private arm(verdict: PassVerdict): void {
    const delay = Math.max(0, verdict.retryInMs ?? this.opts.intervalMs);
    const now = this.opts.timers.now();
    this.holdUntil = verdict.hold ? now + delay : 0;
    this.cancelNext?.();
    this.cancelNext = this.opts.timers.setTimeout(() => void this.kick(verdict.retryInMs === undefined ? 'interval' : 'retry'), delay);
    this.setNext(now + delay);
  }

  private setNext(at: number | undefined): void {
    this.nextAt = at;
    this.opts.onNextAttempt?.(at);
  }
}
