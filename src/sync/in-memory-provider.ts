import type { ApplyOptions, ApplyResult, ChangeOp, DnsProvider, RecordFailure, ZoneCapacity, ZoneListing } from './dns-provider.js';
import type { DnsRecord } from './dns-record.js';
import type { ChangeSet } from './plan.js';
import { ZoneRefusal } from './provider-errors.js';
import { canonicalContent, contentKey } from './record-content.js';

/** Why the in-memory zone refuses a record (the checks Cloudflare makes), or undefined. */
export function recordProblem(record: DnsRecord, zone: readonly DnsRecord[]): string | undefined {
  if (record.ttl !== 1 && (record.ttl < 60 || record.ttl > 86400)) return `ttl ${record.ttl}: expected 1 (automatic) or 60..86400`;
  if (record.proxied && record.type !== 'A' && record.type !== 'AAAA' && record.type !== 'CNAME') return `${record.type} records cannot be proxied`;
  const others = zone.filter((r) => r.name === record.name && r.id !== record.id);
  if (record.type === 'CNAME' && others.length > 0) return `a CNAME cannot share ${record.name} with other records`;
  if (record.type !== 'CNAME' && others.some((r) => r.type === 'CNAME')) return `${record.name} already has a CNAME`;
  const key = contentKey(record.type, record.content);
  if (others.some((r) => r.type === record.type && contentKey(r.type, r.content) === key)) return 'an identical record already exists';
  return undefined;
}

/** Options of an InMemoryProvider. */
export interface InMemoryProviderOptions {
  readonly records?: readonly Omit<DnsRecord, 'id'>[];
  /** Most records the zone may hold (a plan's quota); unlimited when absent. */
  readonly quota?: number;
  /** Makes chosen records fail, as a provider would (a test hook; returns the error text). */
  readonly refuse?: (op: ChangeOp, record: DnsRecord) => string | undefined;
}

/**
 * A complete DnsProvider kept in memory: the same validation as Cloudflare (TTL range,
 * CNAME exclusivity, identical records), ids, creation order, a record quota, and
 * per-record failures. The contract suite runs it beside the Cloudflare provider.
 */
export class InMemoryProvider implements DnsProvider {
  private readonly zone = new Map<string, DnsRecord>();
  private nextId = 1;
  /** Calls of apply(), for tests that assert "nothing was changed". */
  applyCalls = 0;

  constructor(private readonly opts: InMemoryProviderOptions = {}) {
    for (const r of opts.records ?? []) this.insert(r);
  }

  private insert(r: Omit<DnsRecord, 'id'>): DnsRecord {
    const n = this.nextId++;
    // creation order as a timestamp, microseconds apart, like the provider's created_on
    const record = { ...r, content: canonicalContent(r.type, r.content), id: `mem-${n}`, createdOn: `2026-01-01T00:00:00.${String(n).padStart(6, '0')}Z` };
    this.zone.set(record.id, record);
    return record;
  }

  /** Every record in the zone. */
  all(): DnsRecord[] {
    return [...this.zone.values()];
  }

  async list(): Promise<ZoneListing> {
    return { records: this.all(), total: this.zone.size };
  }

  async capacity(): Promise<ZoneCapacity> {
    return { quota: this.opts.quota, used: this.zone.size };
  }

  async apply(changes: ChangeSet, opts: ApplyOptions = {}): Promise<ApplyResult> {
    this.applyCalls++;
    const applied: { op: ChangeOp; record: DnsRecord }[] = [];
    const failed: RecordFailure[] = [];
    const total = changes.deletes.length + changes.updates.length + changes.creates.length;
    const fail = (op: ChangeOp, record: DnsRecord, message: string) => failed.push({ op, record, code: undefined, message, retryable: false });
    const progress = () => opts.onProgress?.(applied.length + failed.length, total);
    for (const r of changes.deletes) {
      const refused = this.opts.refuse?.('delete', r);
      if (refused) fail('delete', r, refused);
      else if (!r.id || !this.zone.delete(r.id)) fail('delete', r, `record ${r.id} does not exist`);
      else applied.push({ op: 'delete', record: r });
      progress();
    }
    for (const { after } of changes.updates) {
      const problem = this.opts.refuse?.('update', after) ?? (after.id && this.zone.has(after.id) ? recordProblem(after, this.all()) : `record ${after.id} does not exist`);
      if (problem) fail('update', after, problem);
      else {
        const kept = this.zone.get(after.id!)!;
        this.zone.set(after.id!, { ...after, content: canonicalContent(after.type, after.content), createdOn: kept.createdOn });
        applied.push({ op: 'update', record: after });
      }
      progress();
    }
    // like one Cloudflare batch: creates that do not all fit are refused together
    if (this.opts.quota !== undefined && this.zone.size + changes.creates.length > this.opts.quota) {
      const stoppedBy = new ZoneRefusal({ reason: 'quota', code: undefined, what: 'record quota exceeded', why: `the zone holds ${this.zone.size} of ${this.opts.quota} records`, fix: 'raise the quota or publish fewer records' });
      return { applied, failed, stoppedBy };
    }
    for (const r of changes.creates) {
      const problem = this.opts.refuse?.('create', r) ?? recordProblem(r, this.all());
      if (problem) fail('create', r, problem);
      else applied.push({ op: 'create', record: this.insert(r) });
      progress();
    }
    return { applied, failed };
  }
}
