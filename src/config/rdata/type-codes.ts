import type { AnyRecordData, RecordType } from './record-data.js';

/** IANA codes of the record types geosteer parses (RFC 1035 3.2.2, RFC 3596, 2782, 3403, 4034, 8659, 9460). */
export const RECORD_TYPE_CODES = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DS: 43,
  SVCB: 64,
  HTTPS: 65,
  CAA: 257,
} as const;

/** Types with a presentation syntax of their own here. */
export type NamedType = RecordType;

const NAMED_BY_CODE = new Map<number, NamedType>(Object.entries(RECORD_TYPE_CODES).map(([name, code]) => [code, name as NamedType]));

// Types whose data changes how a server must answer (DNAME rewriting, DNSSEC signing and
// denial) or that are not data at all (RFC 6895 3.1: 0, OPT, the meta and query types).
// Serving them as opaque data would give wrong answers, so they are refused.
const REFUSED: ReadonlyMap<number, string> = new Map([
  [0, 'type 0 is reserved (RFC 6895 3.1)'],
  [39, 'DNAME needs name rewriting in answers, which geosteer does not do'],
  [41, 'OPT is a pseudo-record of the EDNS exchange, not zone data (RFC 6891)'],
  [46, 'RRSIG: geosteer does not serve signed zones'],
  [47, 'NSEC: geosteer does not serve signed zones'],
  [48, 'DNSKEY: geosteer does not serve signed zones'],
  [50, 'NSEC3: geosteer does not serve signed zones'],
  [51, 'NSEC3PARAM: geosteer does not serve signed zones'],
]);

// Mnemonics of other IANA types an operator may bring from a zone file: they have no
// parser here, so the message tells the RFC 3597 form that does load them.
const OTHER_MNEMONICS: Readonly<Record<string, number>> = {
  HINFO: 13, RP: 17, AFSDB: 18, LOC: 29, DNAME: 39, SSHFP: 44, RRSIG: 46, NSEC: 47, DNSKEY: 48,
  DHCID: 49, NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53, CDS: 59, CDNSKEY: 60, OPENPGPKEY: 61,
  CSYNC: 62, ZONEMD: 63, SPF: 99, EUI48: 108, EUI64: 109, URI: 256, CERT: 37, KX: 36, APL: 42,
  IPSECKEY: 45,
};

/** What a type field names: one of ours, an opaque code (RFC 3597 TYPEnnn or a known mnemonic), or a problem. */
export type TypeRef = { readonly named: NamedType; readonly code: number } | { readonly named: undefined; readonly code: number };

/** Reads a type mnemonic or TYPEnnn (RFC 3597 5), case-insensitive. */
export function parseTypeRef(text: string): TypeRef | string {
  const upper = text.toUpperCase();
  let code: number | undefined;
  const generic = /^TYPE(\d{1,5})$/.exec(upper);
  if (generic) code = Number(generic[1]);
  else if (upper in RECORD_TYPE_CODES) code = RECORD_TYPE_CODES[upper as NamedType];
  else code = OTHER_MNEMONICS[upper];
  if (code === undefined || code > 65535) return `unknown record type ${JSON.stringify(text)}; write types geosteer has no syntax for as TYPEnnn with \\# rdata (RFC 3597)`;
  const refused = refusedType(code);
  if (refused) return refused;
  return { named: NAMED_BY_CODE.get(code), code };
}

/** Why records of `code` cannot be served, or undefined. */
export function refusedType(code: number): string | undefined {
  if (REFUSED.has(code)) return REFUSED.get(code);
  if (code >= 128 && code <= 255) return `type ${code} is a query or meta type, not zone data (RFC 6895 3.1)`;
  return undefined;
}

/** The TYPE code of a record's data. */
export function typeCode(data: AnyRecordData): number {
  return data.type === 'UNKNOWN' ? data.code : RECORD_TYPE_CODES[data.type];
}

/** The mnemonic of a code: ours, then other IANA mnemonics, else TYPEnnn. */
export function typeName(code: number): string {
  const named = NAMED_BY_CODE.get(code);
  if (named) return named;
  const other = Object.entries(OTHER_MNEMONICS).find(([, c]) => c === code);
  return other ? other[0] : `TYPE${code}`;
}
