import { setKey, type DnsRecord } from './dns-record.js';
import { ownerComment, parseRegistryRecord, registryContent, registryName, type RegistryEntry } from './registry.js';

// The planner: current records + desired records -> changes. Pure: no I/O, no clock, no
// logging, so the whole ownership logic is a table test (test/sync/plan.test.ts).

/** `sync` creates, updates and deletes; `upsert-only` never deletes. */
export type SyncMode = 'sync' | 'upsert-only';

/** What the planner needs besides the records. */
export interface SyncPolicy {
  readonly mode: SyncMode;
  /** Our owner id, as written in registry records and comments. */
  readonly ownerId: string;
}

/** A record to change in place (keeps the provider id of `before`). */
export interface RecordUpdate {
  readonly before: DnsRecord;
  readonly after: DnsRecord;
}

/** A desired record set that exists at the provider but is not ours: left alone and reported. */
export interface Conflict {
  readonly name: string;
  readonly type: string;
  readonly reason: string;
  readonly existing: readonly DnsRecord[];
}

/** The planner's result; creates and updates carry our owner comment. */
export interface Changes {
  readonly creates: readonly DnsRecord[];
  readonly updates: readonly RecordUpdate[];
  readonly deletes: readonly DnsRecord[];
  readonly conflicts: readonly Conflict[];
  /** Desired records already published exactly as wanted. */
  readonly noops: readonly DnsRecord[];
}

/** True when the plan changes nothing at the provider. */
export function isEmptyPlan(c: Changes): boolean {
  return c.creates.length === 0 && c.updates.length === 0 && c.deletes.length === 0;
}

function groupBy(records: readonly DnsRecord[]): Map<string, DnsRecord[]> {
  const out = new Map<string, DnsRecord[]>();
  for (const r of records) {
    const key = setKey(r.name, r.type);
    const list = out.get(key);
    if (list) list.push(r);
    else out.set(key, [r]);
  }
  return out;
}

function sameAttributes(a: DnsRecord, b: DnsRecord): boolean {
  return a.ttl === b.ttl && a.proxied === b.proxied && (a.comment ?? '') === (b.comment ?? '');
}

type Ownership = { kind: 'ours' } | { kind: 'free' } | { kind: 'foreign'; reason: string };

/**
 * Turns current + desired into changes. A record set (name, type) is ours when a registry
 * TXT with our owner id covers it, or when every record in it carries our owner comment;
 * a desired set that exists and is not ours is a conflict and nothing in it is touched.
 * Records of names we never desired and never owned are not even looked at.
 */
export function planChanges(current: readonly DnsRecord[], desired: readonly DnsRecord[], policy: SyncPolicy): Changes {
  const comment = ownerComment(policy.ownerId);
  const registry = new Map<string, { entry: RegistryEntry; record: DnsRecord }[]>();
  const plain: DnsRecord[] = [];
  for (const r of current) {
    const entry = parseRegistryRecord(r);
    if (!entry) {
      plain.push(r);
      continue;
    }
    const key = setKey(entry.name, entry.type);
    registry.set(key, [...(registry.get(key) ?? []), { entry, record: r }]);
  }
  const sets = groupBy(plain);
  const typesAt = new Map<string, Set<string>>();
  for (const r of plain) typesAt.set(r.name, (typesAt.get(r.name) ?? new Set()).add(r.type));

  const ownership = (key: string): Ownership => {
    const entries = registry.get(key) ?? [];
    const foreign = entries.find((e) => e.entry.owner !== policy.ownerId);
    if (foreign) return { kind: 'foreign', reason: `owned by geosteer owner "${foreign.entry.owner}" (registry ${foreign.record.name})` };
    if (entries.length > 0) return { kind: 'ours' };
    const set = sets.get(key) ?? [];
    if (set.length === 0) return { kind: 'free' };
    if (set.every((r) => r.comment === comment)) return { kind: 'ours' };
    return { kind: 'foreign', reason: 'records exist that geosteer does not own (no registry TXT and no owner comment)' };
  };

  const creates: DnsRecord[] = [];
  const updates: RecordUpdate[] = [];
  const deletes: DnsRecord[] = [];
  const conflicts: Conflict[] = [];
  const noops: DnsRecord[] = [];
  const wanted = groupBy(desired.map((d) => ({ ...d, comment })));

  for (const [key, want] of wanted) {
    const { name, type } = want[0];
    const existing = sets.get(key) ?? [];
    const own = ownership(key);
    if (own.kind === 'foreign') {
      conflicts.push({ name, type, reason: own.reason, existing });
      continue;
    }
    // A CNAME cannot share its name with other records (Cloudflare 81053/81054, RFC 1034 3.6.2).
    const blocking = [...(typesAt.get(name) ?? [])].filter(
      (t) => t !== type && (t === 'CNAME' || type === 'CNAME') && !(ownership(setKey(name, t)).kind === 'ours' && policy.mode === 'sync' && !wanted.has(setKey(name, t))),
    );
    if (blocking.length > 0) {
      const others = blocking.flatMap((t) => sets.get(setKey(name, t)) ?? []);
      conflicts.push({ name, type, reason: `a CNAME cannot share its name with other records; ${name} has ${blocking.join(', ')} records geosteer may not remove`, existing: others });
      continue;
    }
    const remaining = [...existing];
    const pending: DnsRecord[] = [];
    for (const d of want) {
      const i = remaining.findIndex((c) => c.content === d.content);
      if (i < 0) {
        pending.push(d);
        continue;
      }
      const [c] = remaining.splice(i, 1);
      if (sameAttributes(c, d)) noops.push(c);
      else updates.push({ before: c, after: { ...d, id: c.id } });
    }
    for (const d of pending) {
      const c = remaining.shift();
      if (c) updates.push({ before: c, after: { ...d, id: c.id } });
      else creates.push(d);
    }
    if (policy.mode === 'sync') deletes.push(...remaining);
    if (!(registry.get(key) ?? []).some((e) => e.entry.owner === policy.ownerId)) {
      creates.push({ name: registryName(name, type), type: 'TXT', content: registryContent(policy.ownerId, name, type), ttl: 1, proxied: false, comment });
    }
  }

  if (policy.mode === 'sync') {
    // Sets we own but no longer want: the records, then their registry entries.
    for (const [key, existing] of sets) {
      if (!wanted.has(key) && ownership(key).kind === 'ours') deletes.push(...existing);
    }
    for (const [key, entries] of registry) {
      if (wanted.has(key)) continue;
      for (const e of entries) if (e.entry.owner === policy.ownerId) deletes.push(e.record);
    }
  }
  return { creates, updates, deletes, conflicts, noops };
}
