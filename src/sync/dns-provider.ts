import type { DnsRecord } from './dns-record.js';
import type { ChangeSet } from './plan.js';
import type { RunStop } from './provider-errors.js';

/** The kind of change one record went through. */
export type ChangeOp = 'create' | 'update' | 'delete';

/** A record the provider refused; the rest of the plan still went ahead. */
export interface RecordFailure {
  readonly op: ChangeOp;
  readonly record: DnsRecord;
  /** Provider error code (Cloudflare's root-cause code), when there was one. */
  readonly code: number | undefined;
  readonly message: string;
  /** True for failures a later run may get past (5xx out of retries); false for a record the provider will not take. */
  readonly retryable: boolean;
}

/** What apply did, record by record; `stoppedBy` when the provider stopped it before the end. */
export interface ApplyResult {
  readonly applied: readonly { readonly op: ChangeOp; readonly record: DnsRecord }[];
  readonly failed: readonly RecordFailure[];
  /** A zone-wide refusal or an exhausted request budget: the changes not in applied/failed were not tried. */
  readonly stoppedBy?: RunStop;
}

/** One listing of the whole zone. */
export interface ZoneListing {
  /** Every record of the types geosteer reads (SYNC_RECORD_TYPES). */
  readonly records: readonly DnsRecord[];
  /** Records of every type in the zone: what counts against its record quota. */
  readonly total: number;
}

/** How many records the zone may hold and holds. */
export interface ZoneCapacity {
  /** Undefined when the provider sets no per-zone limit (or will not say). */
  readonly quota: number | undefined;
  readonly used: number;
}

/** Options of every provider call. */
export interface ProviderCallOptions {
  /** Aborted by stop(): no request starts after it. */
  readonly signal?: AbortSignal;
}

/** Options of apply. */
export interface ApplyOptions extends ProviderCallOptions {
  /** Called as records are done (applied or failed), out of all the changes. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Where records are published. `list` reads the whole zone in as few requests as the
 * provider allows (the planner filters); `apply` makes the changes, reporting per-record
 * failures instead of throwing. list and capacity throw ZoneRefusal / RateLimited when the
 * zone cannot be used at all; apply returns them as `stoppedBy`.
 */
export interface DnsProvider {
  list(opts?: ProviderCallOptions): Promise<ZoneListing>;
  capacity(opts?: ProviderCallOptions): Promise<ZoneCapacity>;
  apply(changes: ChangeSet, opts?: ApplyOptions): Promise<ApplyResult>;
}
