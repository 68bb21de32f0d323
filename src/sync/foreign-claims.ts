import type { DnsRecord } from './dns-record.js';
import { registryFields } from './registry.js';

// Names another tool's registry claims. ExternalDNS (kubernetes-sigs/external-dns, TXT
// registry) writes `"heritage=external-dns,external-dns/owner=<id>,..."` at
//   <type>-<name>   the current format (`a-tokyo.api.example.com` claims tokyo.api.example.com), and
//   <name>          the legacy format (the TXT sits at the claimed name itself).
// Once such a TXT exists, ExternalDNS treats every record of the claimed set as its own and
// deletes what it did not ask for, so geosteer must never write there. A TXT at
// `a-team.example.com` may be either form; both candidate names count as claimed (being
// wrong that way only leaves a name alone). Registries with --txt-prefix/--txt-suffix or
// encrypted TXT (--txt-encrypt-enabled) are not recognised: see the README.

/** ExternalDNS's type prefixes on the first label (new format). */
const TYPED_PREFIX = /^(a|aaaa|cname|ns|txt|mx|srv|caa|ptr|naptr)-(.+)$/;

/** A name claimed by another registry, and how the claim reads. */
export interface ForeignClaim {
  readonly name: string;
  readonly owner: string | undefined;
  readonly record: DnsRecord;
}

/** The names an ExternalDNS registry record claims (none for any other record). */
export function externalDnsClaims(record: DnsRecord): ForeignClaim[] {
  if (record.type !== 'TXT') return [];
  const fields = registryFields(record);
  if (fields.get('heritage') !== 'external-dns') return [];
  const owner = fields.get('external-dns/owner') || undefined;
  const typed = TYPED_PREFIX.exec(record.name);
  const names = typed ? [record.name, typed[2]] : [record.name];
  return names.map((name) => ({ name, owner, record }));
}
