import type { Logger } from '../shared/logger.js';
import { quotaRefusal, quotaShortfall, type QuotaShortfall } from './capacity-check.js';
import { desiredRecords, unknownRecordNames, type DesiredRecordsConfig } from './desired-records.js';
import type { ApplyResult, ChangeOp, DnsProvider, RecordFailure, ZoneCapacity, ZoneListing } from './dns-provider.js';
import type { DnsRecord } from './dns-record.js';
import { planChanges, recordsAdded, type ChangeSet, type Changes, type SyncPolicy } from './plan.js';
import { isRunStop, RateLimited, ZoneRefusal, type RefusalDetail } from './provider-errors.js';
import { parseRegistryRecord } from './registry.js';
import type { RunResult } from './sync-observer.js';
import type { SyncInput } from './sync-input.js';

// One pass, the way ExternalDNS's Controller.RunOnce is one pass: list the zone once, plan,
// claim free names and re-read, apply, and say what happened. No timers, no retries of its
// own, no decision about when the next pass runs: that is the scheduler's (sync-scheduler.ts).

/** What a pass reads besides its input. */
export interface RunSettings {
  readonly names: DesiredRecordsConfig;
  /** Zones delegation_ns writes NS records for (delegatedZones(config)). */
  readonly delegated: readonly string[];
  readonly policy: SyncPolicy;
  readonly dryRun: boolean;
  /** The zone, for messages. */
  readonly zone: string;
}

/** Where a pass is, for /v1/sync. */
export type RunPhase = 'listing' | 'checking quota' | 'claiming' | 'applying';

/** Calls a pass makes into its owner. */
export interface RunHooks {
  phase(phase: RunPhase): void;
  /** Records done out of the changes being applied. */
  progress(done: number, total: number): void;
  /** Rejects when this instance may no longer write (the writer lease went to another). */
  ensureWriter(): Promise<void>;
}

/** What one pass did. */
export interface RunOutcome {
  readonly result: RunResult;
  readonly desired: readonly DnsRecord[];
  /** The plan the pass ended with (after the claim re-read, when there was one). */
  readonly plan: Changes | undefined;
  /** Claims written in this pass (they are no longer in `plan`). */
  readonly claimed: readonly DnsRecord[];
  readonly applied: readonly { readonly op: ChangeOp; readonly record: DnsRecord }[];
  readonly failed: readonly RecordFailure[];
  readonly refusal?: RefusalDetail;
  readonly shortfall?: QuotaShortfall;
  /** Rate limited: the next attempt may not start before this (epoch ms). */
  readonly retryAt?: number;
  readonly error?: string;
  /** The plan left work for a follow-up pass (a claim written while the re-read already ran). */
  readonly followUp: boolean;
}

function writesOf(c: Changes): ChangeSet {
  return { deletes: c.deletes, updates: c.updates, creates: c.creates };
}

function hasWrites(c: ChangeSet): boolean {
  return c.deletes.length + c.updates.length + c.creates.length > 0;
}

/** Runs one pass for `input` against `provider`. */
export async function syncOnce(provider: DnsProvider, input: SyncInput, settings: RunSettings, hooks: RunHooks, log: Logger, signal: AbortSignal): Promise<RunOutcome> {
  const desired = desiredRecords(input.model, input.status, settings.names, settings.delegated);
  // Regions with no address yet: leave whatever is published for them untouched.
  const hidden = new Set(unknownRecordNames(input.model, settings.names));
  const visible = (l: ZoneListing) => l.records.filter((r) => !hidden.has(parseRegistryRecord(r)?.name ?? r.name));
  const applied: RunOutcome['applied'][number][] = [];
  const failed: RecordFailure[] = [];
  let plan: Changes | undefined;
  let claimed: readonly DnsRecord[] = [];
  const outcome = (result: RunResult, extra: Partial<RunOutcome> = {}): RunOutcome => ({ result, desired, plan, claimed, applied, failed, followUp: false, ...extra });
  const write = async (changes: ChangeSet): Promise<ApplyResult> => {
    const r = await provider.apply(changes, { signal, onProgress: (done, total) => hooks.progress(done, total) });
    applied.push(...r.applied);
    failed.push(...r.failed);
    return r;
  };
  const stopped = (stop: unknown): RunOutcome => {
    if (stop instanceof ZoneRefusal) return outcome('refused', { refusal: stop.detail });
    if (stop instanceof RateLimited) return outcome(applied.length + failed.length > 0 ? 'partial' : 'failed', { retryAt: stop.retryAt, error: stop.message });
    throw stop;
  };
  try {
    hooks.phase('listing');
    let listing = await provider.list({ signal });
    plan = planChanges(visible(listing), desired, settings.policy);
    const adds = recordsAdded(plan);
    const shortfall = adds > 0 ? quotaShortfall(adds, await capacityOf(provider, hooks, log, signal)) : undefined;
    if (settings.dryRun) return outcome('dry_run', { shortfall });
    if (shortfall) {
      // nothing is created; what does not add records (a drain reaching Cloudflare) still goes
      const inPlace = { deletes: plan.deletes, updates: plan.updates, creates: [] };
      if (hasWrites(inPlace)) {
        await hooks.ensureWriter();
        hooks.phase('applying');
        const r = await write(inPlace);
        if (r.stoppedBy) return stopped(r.stoppedBy);
      }
      return outcome('refused', { refusal: quotaRefusal(shortfall, settings.zone), shortfall });
    }
    if (plan.claims.length > 0) {
      await hooks.ensureWriter();
      hooks.phase('claiming');
      const r = await write({ deletes: [], updates: [], creates: plan.claims });
      claimed = r.applied.map((a) => a.record);
      if (r.stoppedBy) return stopped(r.stoppedBy);
      hooks.phase('listing');
      listing = await provider.list({ signal });
      plan = planChanges(visible(listing), desired, settings.policy);
    }
    const followUp = plan.claims.length > 0;
    if (hasWrites(writesOf(plan))) {
      await hooks.ensureWriter();
      hooks.phase('applying');
      const r = await write(writesOf(plan));
      if (r.stoppedBy) return stopped(r.stoppedBy);
    }
    return outcome(failed.length > 0 ? 'partial' : plan.conflicts.length > 0 ? 'conflict' : 'ok', { followUp });
  } catch (err) {
    if (isRunStop(err)) return stopped(err);
    return outcome(applied.length > 0 ? 'partial' : 'failed', { error: (err as Error)?.message ?? String(err) });
  }
}

/** The zone's quota, or undefined when the provider will not say (the writes then find out). */
async function capacityOf(provider: DnsProvider, hooks: RunHooks, log: Logger, signal: AbortSignal): Promise<ZoneCapacity | undefined> {
  hooks.phase('checking quota');
  try {
    return await provider.capacity({ signal });
  } catch (err) {
    if (isRunStop(err) || signal.aborted) throw err;
    log.debug({ err: (err as Error).message }, 'zone record quota unknown; writing without the check');
    return undefined;
  }
}
