import { isInZone } from '../config/records.js';
import { type ApplyResult, type ChangeOp, type DnsProvider, type RecordFailure } from './dns-provider.js';
import type { DnsRecord } from './dns-record.js';
import type { Changes } from './plan.js';

/** Why the in-memory zone refuses a record (the checks Cloudflare makes), or undefined. */
export function recordProblem(record: DnsRecord, zone: readonly DnsRecord[]): string | undefined {
  if (record.ttl !== 1 && (record.ttl < 60 || record.ttl > 86400)) return `ttl ${record.ttl}: expected 1 (automatic) or 60..86400`;
  if (record.proxied && record.type !== 'A' && record.type !== 'AAAA' && record.type !== 'CNAME') return `${record.type} records cannot be proxied`;
  const others = zone.filter((r) => r.name === record.name && r.id !== record.id);
  if (record.type === 'CNAME' && others.length > 0) return `a CNAME cannot share ${record.name} with other records`;
  if (record.type !== 'CNAME' && others.some((r) => r.type === 'CNAME')) return `${record.name} already has a CNAME`;
  if (others.some((r) => r.type === record.type && r.content === record.content)) return 'an identical record already exists';
  return undefined;
}

/**
 * A complete DnsProvider kept in memory: the same validation as Cloudflare (TTL range,
 * CNAME exclusivity, identical records), ids, and per-record failures. Used by tests.
 */
export class InMemoryProvider implements DnsProvider {
  private readonly zone = new Map<string, DnsRecord>();
  private nextId = 1;
  /** Calls of apply(), for tests that assert "nothing was changed". */
  applyCalls = 0;

  constructor(
    initial: readonly Omit<DnsRecord, 'id'>[] = [],
    /** Makes chosen records fail, as a provider would (a test hook; returns the error text). */
    private readonly refuse: (op: ChangeOp, record: DnsRecord) => string | undefined = () => undefined,
  ) {
    for (const r of initial) this.insert(r);
  }

  private insert(r: Omit<DnsRecord, 'id'>): DnsRecord {
    const record = { ...r, id: `mem-${this.nextId++}` };
    this.zone.set(record.id, record);
    return record;
  }

  /** Every record in the zone. */
  all(): DnsRecord[] {
    return [...this.zone.values()];
  }

  async records(suffixes: readonly string[]): Promise<DnsRecord[]> {
    return this.all().filter((r) => suffixes.some((s) => isInZone(r.name, s)));
  }

  async apply(changes: Changes): Promise<ApplyResult> {
    this.applyCalls++;
    const applied: { op: ChangeOp; record: DnsRecord }[] = [];
    const failed: RecordFailure[] = [];
    const fail = (op: ChangeOp, record: DnsRecord, message: string) => failed.push({ op, record, code: undefined, message, retryable: false });
    for (const r of changes.deletes) {
      const refused = this.refuse('delete', r);
      if (refused) fail('delete', r, refused);
      else if (!r.id || !this.zone.delete(r.id)) fail('delete', r, `record ${r.id} does not exist`);
      else applied.push({ op: 'delete', record: r });
    }
    for (const { after } of changes.updates) {
      const problem = this.refuse('update', after) ?? (after.id && this.zone.has(after.id) ? recordProblem(after, this.all()) : `record ${after.id} does not exist`);
      if (problem) fail('update', after, problem);
      else {
        this.zone.set(after.id!, after);
        applied.push({ op: 'update', record: after });
      }
    }
    for (const r of changes.creates) {
      const problem = this.refuse('create', r) ?? recordProblem(r, this.all());
      if (problem) fail('create', r, problem);
      else applied.push({ op: 'create', record: this.insert(r) });
    }
    return { applied, failed };
  }
}
