import type { ChangeOp } from './dns-provider.js';
import type { DnsRecord } from './dns-record.js';
import { contentKey } from './record-content.js';

// After a write whose answer was lost (a 5xx or a reset after the provider may have
// committed), one re-read tells which changes took effect: cheaper and more exact than
// replaying them one by one (2N+3 requests for a committed batch of N).

/** One change as a provider applies it (for an update, the record after it). */
export interface RecordChange {
  readonly op: ChangeOp;
  readonly record: DnsRecord;
}

function sameRecord(a: DnsRecord, b: DnsRecord): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    contentKey(a.type, a.content) === contentKey(b.type, b.content) &&
    a.ttl === b.ttl &&
    a.proxied === b.proxied &&
    (a.comment ?? '') === (b.comment ?? '')
  );
}

/** True when `change` is already in effect in `zone` (a fresh listing). */
export function hasLanded(change: RecordChange, zone: readonly DnsRecord[]): boolean {
  const { op, record } = change;
  if (op === 'delete') return !zone.some((r) => r.id === record.id);
  if (op === 'update') return zone.some((r) => r.id === record.id && sameRecord(r, record));
  return zone.some((r) => sameRecord(r, record));
}
