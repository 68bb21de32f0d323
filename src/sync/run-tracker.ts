import { NO_OBSERVER, type SyncObserver } from './sync-observer.js';

/** Counts the requests and pauses of the run in progress (tee'd beside the metrics observer). */
export class RunTracker implements SyncObserver {
  requests = 0;
  waitingUntil: number | undefined;

  constructor(private readonly now: () => number) {}

  /** A new run starts counting from zero. */
  begin(): void {
    this.requests = 0;
    this.waitingUntil = undefined;
  }

  request(): void {
    this.requests++;
    this.waitingUntil = undefined;
  }

  rateLimitWait(ms: number): void {
    this.waitingUntil = this.now() + ms;
  }

  runFinished = NO_OBSERVER.runFinished;
  planned = NO_OBSERVER.planned;
  applied = NO_OBSERVER.applied;
  failed = NO_OBSERVER.failed;
  conflicts = NO_OBSERVER.conflicts;
  refused = NO_OBSERVER.refused;
  nextAttempt = NO_OBSERVER.nextAttempt;
  leaseHeld = NO_OBSERVER.leaseHeld;
}
