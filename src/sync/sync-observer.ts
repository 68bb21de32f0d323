import type { ChangeOp } from './dns-provider.js';
import type { RefusalReason } from './provider-errors.js';

/** The result of one run. */
export type RunResult = 'ok' | 'partial' | 'conflict' | 'refused' | 'failed' | 'dry_run';

/** Provider request kinds, for counting where the budget goes. */
export type RequestKind = 'list' | 'usage' | 'batch' | 'create' | 'update' | 'delete';

/** How a request ended. */
export type RequestOutcome = 'ok' | 'rate_limited' | 'error';

/**
 * Told what the sync does; src/metrics/sync-metrics.ts turns it into Prometheus families
 * (sync/ itself never imports prom-client). Every method is cheap and never throws.
 */
export interface SyncObserver {
  /** A run ended; `at` is epoch ms. */
  runFinished(result: RunResult, at: number): void;
  /** Changes in a plan, applied and refused, by operation. */
  planned(op: ChangeOp, count: number): void;
  applied(op: ChangeOp, count: number): void;
  failed(op: ChangeOp, count: number): void;
  /** Desired record sets in conflict in the last plan. */
  conflicts(count: number): void;
  /** One provider request (every attempt counts). */
  request(kind: RequestKind, outcome: RequestOutcome): void;
  /** A pause for the request budget or a Retry-After, in ms. */
  rateLimitWait(ms: number): void;
  /** A run stopped by a zone-wide refusal. */
  refused(reason: RefusalReason): void;
  /** When the next attempt is due (epoch ms), undefined when none is scheduled. */
  nextAttempt(at: number | undefined): void;
  /** Whether this instance holds the writer lease of its owner id. */
  leaseHeld(held: boolean): void;
}

/** An observer that records nothing. */
export const NO_OBSERVER: SyncObserver = {
  runFinished: () => undefined,
  planned: () => undefined,
  applied: () => undefined,
  failed: () => undefined,
  conflicts: () => undefined,
  request: () => undefined,
  rateLimitWait: () => undefined,
  refused: () => undefined,
  nextAttempt: () => undefined,
  leaseHeld: () => undefined,
};

/** Forwards every call to each observer in turn. */
export function teeObserver(...observers: SyncObserver[]): SyncObserver {
  const each =
    <K extends keyof SyncObserver>(k: K) =>
    (...args: Parameters<SyncObserver[K]>) => {
      for (const o of observers) (o[k] as (...a: Parameters<SyncObserver[K]>) => void)(...args);
    };
  return {
    runFinished: each('runFinished'),
    planned: each('planned'),
    applied: each('applied'),
    failed: each('failed'),
    conflicts: each('conflicts'),
    request: each('request'),
    rateLimitWait: each('rateLimitWait'),
    refused: each('refused'),
    nextAttempt: each('nextAttempt'),
    leaseHeld: each('leaseHeld'),
  };
}
