import type { DnsRecord } from './dns-record.js';
import type { Changes } from './plan.js';

/** The kind of change one record went through. */
export type ChangeOp = 'create' | 'update' | 'delete';

/** A record the provider refused; the rest of the plan still went ahead. */
export interface RecordFailure {
  readonly op: ChangeOp;
  readonly record: DnsRecord;
  /** Provider error code (Cloudflare's `errors[].code`), when there was one. */
  readonly code: number | undefined;
  readonly message: string;
  /** True for rate limits and 5xx that outlasted the retry budget: the next sync tries again. */
  readonly retryable: boolean;
}

/** What apply did, record by record. */
export interface ApplyResult {
  readonly applied: readonly { readonly op: ChangeOp; readonly record: DnsRecord }[];
  readonly failed: readonly RecordFailure[];
}

/**
 * Where records are published. `records` lists every record at or below each suffix (so a
 * steered name's region records and registry TXTs come in one listing); `apply` makes the
 * changes, reporting per-record failures instead of throwing. Both throw only when the
 * provider cannot be used at all (listing failed, bad token).
 */
export interface DnsProvider {
  records(suffixes: readonly string[]): Promise<DnsRecord[]>;
  apply(changes: Changes): Promise<ApplyResult>;
}
