import { SYNC_RECORD_TYPES, type DnsRecord, type SyncRecordType } from './dns-record.js';
import { txtText } from './record-content.js';

// Ownership, the ExternalDNS way but with our own heritage so that an ExternalDNS instance
// never mistakes our records for its own (and we never take over its records):
//
//   TXT  _geosteer-a.taiwan.api.example.com  "heritage=geosteer,geosteer/owner=<id>,geosteer/resource=<name>/<type>"
//
// The registry record sits one label *below* the owned name (ExternalDNS puts a prefix on
// the first label instead) so that it can live beside a CNAME. Every record we write also
// carries the comment `geosteer owner=<id>` (comments exist on the Free plan, tags do not).
// A record is ours only with both: the comment on it and our registry entry for its set.

/** First label of every registry record: `_geosteer-<type>`. */
export const REGISTRY_LABEL_PREFIX = '_geosteer-';

/** Name of the registry TXT record proving ownership of the (name, type) record set. */
export function registryName(name: string, type: SyncRecordType): string {
  return `${REGISTRY_LABEL_PREFIX}${type.toLowerCase()}.${name}`;
}

/** The TXT content (with its quotes, as Cloudflare stores TXT content) that marks `owner`. */
export function registryContent(ownerId: string, name: string, type: SyncRecordType): string {
  return `"heritage=geosteer,geosteer/owner=${ownerId},geosteer/resource=${name}/${type}"`;
}

/** The comment put on every record we write. */
export function ownerComment(ownerId: string): string {
  return `geosteer owner=${ownerId}`;
}

/** The registry record claiming (name, type) for `ownerId`, as the planner creates it. */
export function registryRecord(ownerId: string, name: string, type: SyncRecordType): DnsRecord {
  return { name: registryName(name, type), type: 'TXT', content: registryContent(ownerId, name, type), ttl: 1, proxied: false, comment: ownerComment(ownerId) };
}

/** What a registry TXT record says: which set it covers and who owns it. */
export interface RegistryEntry {
  readonly name: string;
  readonly type: SyncRecordType;
  readonly owner: string;
}

/** `k=v,k=v` fields of a registry TXT text (ours and ExternalDNS's use the same layout). */
export function registryFields(record: DnsRecord): Map<string, string> {
  return new Map(
    txtText(record.content)
      .split(',')
      .map((kv) => {
        const eq = kv.indexOf('=');
        return (eq < 0 ? [kv.trim(), ''] : [kv.slice(0, eq).trim(), kv.slice(eq + 1).trim()]) as [string, string];
      }),
  );
}

/** The registry entry a record stands for, or undefined when it is not a geosteer registry record. */
export function parseRegistryRecord(record: DnsRecord): RegistryEntry | undefined {
  if (record.type !== 'TXT' || !record.name.startsWith(REGISTRY_LABEL_PREFIX)) return undefined;
  const dot = record.name.indexOf('.');
  if (dot < 0) return undefined;
  const type = record.name.slice(REGISTRY_LABEL_PREFIX.length, dot).toUpperCase() as SyncRecordType;
  if (!SYNC_RECORD_TYPES.includes(type)) return undefined;
  const fields = registryFields(record);
  const owner = fields.get('geosteer/owner');
  if (fields.get('heritage') !== 'geosteer' || !owner) return undefined;
  return { name: record.name.slice(dot + 1), type, owner };
}
