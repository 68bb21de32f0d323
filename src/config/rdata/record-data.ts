// The typed data of every record type geosteer serves. Names are canonical (see
// ../names.ts), addresses are the text node:net accepts, and octet strings are Buffers.

/** One SvcParam of an SVCB/HTTPS record (RFC 9460 7, RFC 9461 5, RFC 9540 4), by key. */
export type SvcParam =
  | { readonly key: 0; readonly name: 'mandatory'; readonly keys: readonly number[] }
  | { readonly key: 1; readonly name: 'alpn'; readonly ids: readonly Buffer[] }
  | { readonly key: 2; readonly name: 'no-default-alpn' }
  | { readonly key: 3; readonly name: 'port'; readonly port: number }
  /** `steered`: the addresses of the region the steering decision picks, filled in per answer. */
  | { readonly key: 4; readonly name: 'ipv4hint'; readonly addresses: readonly string[] | 'steered' }
  | { readonly key: 5; readonly name: 'ech'; readonly config: Buffer }
  | { readonly key: 6; readonly name: 'ipv6hint'; readonly addresses: readonly string[] | 'steered' }
  | { readonly key: 7; readonly name: 'dohpath'; readonly template: Buffer }
  | { readonly key: 8; readonly name: 'ohttp' }
  /** keyNNNNN=value: any key, with its wire value as written (RFC 9460 2.1). */
  | { readonly key: number; readonly name: 'opaque'; readonly value: Buffer };

/** SOA fields (RFC 1035 3.3.13); the timers are seconds. */
export interface SoaFields {
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

/** A record's data, parsed from its presentation form: the types geosteer has a syntax for. */
export type RecordData =
  | { readonly type: 'A'; readonly address: string }
  | { readonly type: 'AAAA'; readonly address: string }
  | { readonly type: 'CNAME'; readonly target: string }
  | { readonly type: 'NS'; readonly host: string }
  | { readonly type: 'PTR'; readonly target: string }
  | { readonly type: 'MX'; readonly preference: number; readonly exchange: string }
  /** One or more character-strings (RFC 1035 3.3.14). */
  | { readonly type: 'TXT'; readonly strings: readonly Buffer[] }
  | { readonly type: 'CAA'; readonly flags: number; readonly tag: string; readonly value: Buffer }
  | { readonly type: 'SRV'; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }
  | {
      readonly type: 'NAPTR';
      readonly order: number;
      readonly preference: number;
      readonly flags: Buffer;
      readonly services: Buffer;
      readonly regexp: Buffer;
      readonly replacement: string;
    }
  /** SVCB and HTTPS share one form (RFC 9460 2.2, 9.1); params sorted by key, each key once. */
  | { readonly type: 'SVCB' | 'HTTPS'; readonly priority: number; readonly target: string; readonly params: readonly SvcParam[] }
  | { readonly type: 'DS'; readonly keyTag: number; readonly algorithm: number; readonly digestType: number; readonly digest: Buffer }
  | ({ readonly type: 'SOA' } & SoaFields);

/** A type geosteer has no syntax for, kept as its wire rdata (RFC 3597). */
export interface UnknownData {
  readonly type: 'UNKNOWN';
  readonly code: number;
  readonly rdata: Buffer;
}

/** Data of any record, known type or not. */
export type AnyRecordData = RecordData | UnknownData;

/** The type names of RecordData (the types with a syntax here). */
export type RecordType = RecordData['type'];

/** The variant of RecordData with type `T`. */
export type DataOf<T extends RecordType> = Extract<RecordData, { type: T }>;
