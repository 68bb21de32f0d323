import type { Logger } from '../../shared/logger.js';
import type { ApplyOptions, ApplyResult, ChangeOp, RecordFailure, ZoneListing } from '../dns-provider.js';
import type { DnsRecord } from '../dns-record.js';
import { hasLanded, type RecordChange } from '../landed-changes.js';
import type { ChangeSet } from '../plan.js';
import { isRunStop, type RunStop } from '../provider-errors.js';
import type { SyncTimers } from '../sync-timers.js';
import { CloudflareCallError } from './cloudflare-calls.js';

// How a plan reaches Cloudflare with the fewest requests that still isolate failures:
// - chunks of `batchSize` through POST /zones/:id/dns_records/batch (one transaction,
//   deletes -> patches -> puts -> posts; 200 changes on Free, 3500 on paid plans);
// - a batch refused for one record (a 4xx that is not zone-wide) is split in halves until
//   the bad record stands alone: about 2 log2(N) requests instead of N single calls;
// - a batch answered with a 5xx or a reset may have been committed: the zone is re-read
//   once and only what did not land is sent again; after `batchAttempts` such answers the
//   batch endpoint is skipped for `cooldownMs` and the rest goes as single calls;
// - a zone-wide refusal or an exhausted budget stops everything (ApplyResult.stoppedBy).

/** The three requests the applier composes. */
export interface BatchRequests {
  batch(changes: readonly RecordChange[], signal?: AbortSignal): Promise<void>;
  /** One change alone; `ambiguous` when an earlier attempt's answer was lost (a create may then exist). */
  single(change: RecordChange, ambiguous: boolean, signal?: AbortSignal): Promise<void>;
  list(signal?: AbortSignal): Promise<ZoneListing>;
}

/** Batch limits. */
export interface BatchRules {
  readonly batchSize: number;
  /** Batch attempts answered with a 5xx or reset before falling back to single calls. */
  readonly batchAttempts: number;
  /** After a fallback, send single calls for this long. */
  readonly cooldownMs: number;
}

/** Stops the recursion of one apply() when the provider stops the run. */
class Stop extends Error {
  constructor(readonly stop: RunStop) {
    super(stop.message);
  }
}

/** Turns errors that stop the run into Stop; returns the failure of the others. */
function failureOf(err: unknown) {
  if (isRunStop(err)) throw new Stop(err);
  if (!(err instanceof CloudflareCallError)) throw err;
  return err.failure;
}

/** Applies ChangeSets through BatchRequests (see the header); remembers a failing batch endpoint. */
export class BatchApplier {
  private batchDownUntil = 0;

  constructor(
    private readonly requests: BatchRequests,
    private readonly rules: BatchRules,
    private readonly timers: SyncTimers,
    private readonly log: Logger,
  ) {}

  async apply(changes: ChangeSet, opts: ApplyOptions = {}): Promise<ApplyResult> {
    const { requests, rules } = this;
    const signal = opts.signal;
    const all: RecordChange[] = [
      ...changes.deletes.map((record) => ({ op: 'delete' as const, record })),
      ...changes.updates.map(({ after }) => ({ op: 'update' as const, record: after })),
      ...changes.creates.map((record) => ({ op: 'create' as const, record })),
    ];
    const applied: { op: ChangeOp; record: DnsRecord }[] = [];
    const failed: RecordFailure[] = [];
    const progress = () => opts.onProgress?.(applied.length + failed.length, all.length);
    const done = (cs: readonly RecordChange[]) => {
      applied.push(...cs);
      progress();
    };

    const singles = async (cs: readonly RecordChange[], ambiguous: ReadonlySet<RecordChange>) => {
      for (const c of cs) {
        try {
          await requests.single(c, ambiguous.has(c), signal);
          done([c]);
        } catch (err) {
          const failure = failureOf(err);
          failed.push({ ...c, code: failure.kind === 'record' ? failure.code : undefined, message: (err as Error).message, retryable: failure.kind !== 'record' });
          progress();
        }
      }
    };

    const chunk = async (cs: readonly RecordChange[]): Promise<void> => {
      if (cs.length === 1 || this.timers.now() < this.batchDownUntil) return singles(cs, new Set());
      let remaining = cs;
      const ambiguous = new Set<RecordChange>();
      for (let attempt = 1; attempt <= rules.batchAttempts; attempt++) {
        try {
          await requests.batch(remaining, signal);
          done(remaining);
          return;
        } catch (err) {
          if (failureOf(err).kind === 'record') {
            // one record spoiled the transaction: halves until it stands alone
            const mid = Math.ceil(remaining.length / 2);
            await chunk(remaining.slice(0, mid));
            await chunk(remaining.slice(mid));
            return;
          }
          // the answer was lost: keep what landed, send only the rest again
          let zone: readonly DnsRecord[];
          try {
            zone = (await requests.list(signal)).records;
          } catch (listErr) {
            failureOf(listErr);
            throw listErr;
          }
          const landed = remaining.filter((c) => hasLanded(c, zone));
          done(landed);
          remaining = remaining.filter((c) => !landed.includes(c));
          for (const c of remaining) ambiguous.add(c);
          if (remaining.length === 0) return;
        }
      }
      this.batchDownUntil = this.timers.now() + rules.cooldownMs;
      this.log.warn({ cooldownSeconds: rules.cooldownMs / 1000, changes: remaining.length }, 'cloudflare batch endpoint keeps failing (5xx); sending single requests for a while');
      await singles(remaining, ambiguous);
    };

    try {
      for (let i = 0; i < all.length; i += rules.batchSize) await chunk(all.slice(i, i + rules.batchSize));
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      return { applied, failed, stoppedBy: err.stop };
    }
    return { applied, failed };
  }
}
