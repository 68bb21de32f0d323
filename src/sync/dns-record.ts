// The record shape the whole sync pipeline speaks: what desired-records builds, what a
// DnsProvider lists, what the planner compares. Names are lower case without the trailing dot.

/** Record types geosteer publishes (TXT only for its ownership registry). */
export type SyncRecordType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'TXT';

/** Every type geosteer reads back from a provider (the others cannot be ours). */
export const SYNC_RECORD_TYPES: readonly SyncRecordType[] = ['A', 'AAAA', 'CNAME', 'NS', 'TXT'];

/** One DNS record as published at the provider. */
export interface DnsRecord {
  /** Provider id; set on records read from the provider, absent on desired ones. */
  readonly id?: string;
  readonly name: string;
  readonly type: SyncRecordType;
  /** Address, target name or TXT text (TXT content includes its quotes, as Cloudflare stores it). */
  readonly content: string;
  /** Seconds; 1 means "automatic" at Cloudflare (and is forced for proxied records). */
  readonly ttl: number;
  readonly proxied: boolean;
  /** Free text at the provider (100 characters on Cloudflare Free); carries the owner mark. */
  readonly comment?: string;
  /** When the provider created it (ISO 8601, sub-second digits kept): orders competing claims. */
  readonly createdOn?: string;
}

/** Key of a record set: name and type. */
export function setKey(name: string, type: string): string {
  return `${name}|${type}`;
}

/** A record in one line for logs and the admin view. */
export function describeRecord(r: DnsRecord): string {
  return `${r.name} ${r.type} ${r.content} ttl=${r.ttl}${r.proxied ? ' proxied' : ''}`;
}
