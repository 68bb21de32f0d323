import { setKey, type DnsRecord } from './dns-record.js';
import { externalDnsClaims, type ForeignClaim } from './foreign-claims.js';
import { parseRegistryRecord, type RegistryEntry } from './registry.js';

// Who holds each name, decided from one listing so that every instance that reads the same
// zone decides the same way. A name is held by the geosteer owner whose registry claim at it
// was created first (the provider's creation time, sub-second digits compared, then the
// record id): when two deployments claim a name in the same moment, both see both claims on
// their re-read and agree on the winner; the loser backs off. A name an ExternalDNS registry
// claims is foreign whatever its age: ExternalDNS does not back off.

/** A geosteer registry record and what it claims. */
export interface Claim {
  readonly entry: RegistryEntry;
  readonly record: DnsRecord;
}

/** Who holds a name. */
export type NameHolder =
  | { readonly kind: 'ours' }
  | { readonly kind: 'free' }
  /** `by`: an earlier geosteer claim (we withdraw ours) or another tool's registry (we touch nothing). */
  | { readonly kind: 'foreign'; readonly by: 'geosteer' | 'external-dns'; readonly reason: string };

/** The zone as the planner reads it. */
export interface ZoneView {
  /** Geosteer registry claims by claimed name, earliest first. */
  readonly claims: ReadonlyMap<string, readonly Claim[]>;
  /** Every record that is not a geosteer registry record, by set key (name|type). */
  readonly sets: ReadonlyMap<string, readonly DnsRecord[]>;
  /** Types present at each name (registry records excluded). */
  readonly typesAt: ReadonlyMap<string, ReadonlySet<string>>;
  holder(name: string): NameHolder;
}

/** Sortable creation time: `2026-11-22T00:00:00.1234Z` -> `2026-11-22T00:00:00.123400000`. */
function claimTime(createdOn: string | undefined): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(createdOn ?? '');
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}` : '~'; // unknown times sort last
}

function byClaimOrder(a: Claim, b: Claim): number {
  const ta = claimTime(a.record.createdOn);
  const tb = claimTime(b.record.createdOn);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.record.id ?? '') < (b.record.id ?? '') ? -1 : (a.record.id ?? '') > (b.record.id ?? '') ? 1 : 0;
}

function describeForeign(claim: ForeignClaim): string {
  return `claimed by ExternalDNS${claim.owner ? ` owner "${claim.owner}"` : ''} (TXT ${claim.record.name})`;
}

/** Reads a listing into claims, sets and name holders for `ownerId`. */
export function readZone(current: readonly DnsRecord[], ownerId: string): ZoneView {
  const claims = new Map<string, Claim[]>();
  const foreign = new Map<string, ForeignClaim>();
  const sets = new Map<string, DnsRecord[]>();
  const typesAt = new Map<string, Set<string>>();
  for (const record of current) {
    const entry = parseRegistryRecord(record);
    if (entry) {
      claims.set(entry.name, [...(claims.get(entry.name) ?? []), { entry, record }]);
      continue;
    }
    for (const c of externalDnsClaims(record)) if (!foreign.has(c.name)) foreign.set(c.name, c);
    const key = setKey(record.name, record.type);
    sets.set(key, [...(sets.get(key) ?? []), record]);
    typesAt.set(record.name, (typesAt.get(record.name) ?? new Set()).add(record.type));
  }
  for (const list of claims.values()) list.sort(byClaimOrder);
  const holder = (name: string): NameHolder => {
    const external = foreign.get(name);
    if (external) return { kind: 'foreign', by: 'external-dns', reason: describeForeign(external) };
    const first = claims.get(name)?.[0];
    if (!first) return { kind: 'free' };
    if (first.entry.owner === ownerId) return { kind: 'ours' };
    return { kind: 'foreign', by: 'geosteer', reason: `claimed first by geosteer owner "${first.entry.owner}" (registry ${first.record.name})` };
  };
  return { claims, sets, typesAt, holder };
}
