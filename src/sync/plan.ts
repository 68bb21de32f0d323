import { setKey, type DnsRecord } from './dns-record.js';
import { readZone } from './ownership.js';
import { canonicalContent, contentKey } from './record-content.js';
import { ownerComment, registryRecord } from './registry.js';

// The planner: current records + desired records -> changes. Pure: no I/O, no clock, no
// logging, so the whole ownership logic is a table test (test/sync/plan.test.ts).
//
// Ownership is decided per record, never per (name, type): a record is ours when it carries
// our owner comment *and* our registry claim holds its name. Anything else is foreign, at
// any name: reported as a conflict, never changed or deleted. A free name is claimed first
// (registry TXT only), re-read, and filled in by the next plan, so that two deployments
// starting together never both publish (ownership.ts decides the winner).

/** `sync` creates, updates and deletes; `upsert-only` never deletes a whole set we no longer want. */
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

/** A desired record set that geosteer may not (fully) manage: reported, foreign records left alone. */
export interface Conflict {
  readonly name: string;
  readonly type: string;
  readonly reason: string;
  /** The records that are not ours. */
  readonly existing: readonly DnsRecord[];
}

/** Writes for a provider, applied in this order: deletes, updates, creates. */
export interface ChangeSet {
  readonly deletes: readonly DnsRecord[];
  readonly updates: readonly RecordUpdate[];
  readonly creates: readonly DnsRecord[];
}

/** The planner's result; everything written carries our owner comment. */
export interface Changes extends ChangeSet {
  /** Registry claims for names nobody holds yet: written and re-read before any record there. */
  readonly claims: readonly DnsRecord[];
  /** Desired records at the names being claimed; the plan after the re-read creates them. */
  readonly awaitingClaim: readonly DnsRecord[];
  readonly conflicts: readonly Conflict[];
  /** Desired records already published exactly as wanted. */
  readonly noops: readonly DnsRecord[];
}

/** True when the plan writes nothing. */
export function isEmptyPlan(c: Changes): boolean {
  return c.claims.length === 0 && c.creates.length === 0 && c.updates.length === 0 && c.deletes.length === 0;
}

/** Records the plan adds to the zone once every phase ran (what counts against a record quota). */
export function recordsAdded(c: Changes): number {
  return c.claims.length + c.awaitingClaim.length + c.creates.length - c.deletes.length;
}

function groupBy(records: readonly DnsRecord[]): Map<string, DnsRecord[]> {
  const out = new Map<string, DnsRecord[]>();
  for (const r of records) {
    const key = setKey(r.name, r.type);
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

function sameAttributes(a: DnsRecord, b: DnsRecord): boolean {
  return a.ttl === b.ttl && a.proxied === b.proxied && (a.comment ?? '') === (b.comment ?? '');
}

/** Turns current + desired into changes for `policy` (see the header for the rules). */
export function planChanges(current: readonly DnsRecord[], desired: readonly DnsRecord[], policy: SyncPolicy): Changes {
  const { ownerId } = policy;
  const zone = readZone(current, ownerId);
  const comment = ownerComment(ownerId);
  const mine = (r: DnsRecord) => r.comment === comment;
  const wanted = groupBy(desired.map((d) => ({ ...d, content: canonicalContent(d.type, d.content), comment })));
  const claims: DnsRecord[] = [];
  const awaitingClaim: DnsRecord[] = [];
  const creates: DnsRecord[] = [];
  const updates: RecordUpdate[] = [];
  const deletes: DnsRecord[] = [];
  const conflicts: Conflict[] = [];
  const noops: DnsRecord[] = [];
  const deleting = new Set<DnsRecord>();
  const drop = (r: DnsRecord) => {
    if (deleting.has(r)) return;
    deleting.add(r);
    deletes.push(r);
  };
  const ourRecordsIn = (name: string, type: string) => (zone.sets.get(setKey(name, type)) ?? []).filter(mine);

  // Our claims: withdraw those that lost a race, drop duplicates, and (sync) retire sets we no longer want.
  for (const [name, list] of zone.claims) {
    const ours = list.filter((c) => c.entry.owner === ownerId);
    const holder = zone.holder(name);
    if (ours.length === 0 || (holder.kind === 'foreign' && holder.by === 'external-dns')) continue;
    if (holder.kind === 'foreign') {
      for (const c of ours) [c.record, ...ourRecordsIn(name, c.entry.type)].forEach(drop);
      continue;
    }
    const seen = new Set<string>();
    for (const c of ours) {
      const key = setKey(name, c.entry.type);
      if (seen.has(key)) drop(c.record);
      else if (!wanted.has(key) && policy.mode === 'sync') [...ourRecordsIn(name, c.entry.type), c.record].forEach(drop);
      seen.add(key);
    }
  }

  for (const [key, want] of wanted) {
    const { name, type } = want[0];
    const holder = zone.holder(name);
    const existing = zone.sets.get(key) ?? [];
    if (holder.kind === 'foreign') {
      conflicts.push({ name, type, reason: holder.reason, existing });
      continue;
    }
    // A CNAME cannot share its name with other records (RFC 1034 3.6.2; Cloudflare 81053/81054).
    const blockingTypes = [...(zone.typesAt.get(name) ?? [])].filter((t) => t !== type && (t === 'CNAME' || type === 'CNAME'));
    const blockers = blockingTypes.flatMap((t) => zone.sets.get(setKey(name, t)) ?? []).filter((r) => !deleting.has(r));
    if (blockers.length > 0) {
      const types = [...new Set(blockers.map((r) => r.type))].join(', ');
      conflicts.push({ name, type, reason: `a CNAME cannot share its name with other records; ${name} has ${types} records geosteer may not remove`, existing: blockers });
      continue;
    }
    const foreign = existing.filter((r) => holder.kind === 'free' || !mine(r));
    if (holder.kind === 'free') {
      if (foreign.length > 0) {
        const why = foreign.every(mine) ? `carry geosteer's comment but no registry entry names them (restore the registry TXT or delete them by hand)` : 'were not created by geosteer';
        conflicts.push({ name, type, reason: `${foreign.length} record(s) here ${why}; left alone`, existing: foreign });
      } else {
        claims.push(registryRecord(ownerId, name, type));
        awaitingClaim.push(...want);
      }
      continue;
    }
    if (foreign.length > 0) {
      conflicts.push({ name, type, reason: `${foreign.length} record(s) in this set were not created by geosteer (no owner comment); left alone, geosteer's own are managed`, existing: foreign });
    }
    const servedByForeign = new Set(foreign.map((r) => contentKey(type, r.content)));
    const remaining = existing.filter(mine);
    const pending: DnsRecord[] = [];
    for (const d of want) {
      const k = contentKey(type, d.content);
      const i = remaining.findIndex((c) => contentKey(type, c.content) === k);
      if (i < 0) {
        if (!servedByForeign.has(k)) pending.push(d);
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
    // Within a set we keep, our own stale records go under both policies (upsert-only
    // only spares whole sets we no longer want): a drained region's address must not linger.
    remaining.forEach(drop);
    if (!(zone.claims.get(name) ?? []).some((c) => c.entry.owner === ownerId && c.entry.type === type)) creates.push(registryRecord(ownerId, name, type));
  }
  return { claims, awaitingClaim, creates, updates, deletes, conflicts, noops };
}
