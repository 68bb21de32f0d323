/** A country and continent as the GeoIP database names them; both undefined where it has no entry. */
export interface Place {
  /** ISO 3166-1 alpha-2 country code, upper case; undefined when the database has no entry. */
  readonly country: string | undefined;
  /** Two-letter continent code (AF AN AS EU NA OC SA); undefined when unknown. */
  readonly continent: string | undefined;
}

/** Where a client address is, as far as the GeoIP database knows. Instances are shared and frozen. */
export interface GeoLocation extends Place {
  /**
   * Prefix length of the database network that holds the address (IPv4 addresses count
   * in IPv4 bits, 0..32; IPv6 in 0..128). Used as the ECS scope (RFC 7871 7.2.1).
   */
  readonly prefixLength: number;
}

/** What was loaded, for logs, metrics and the admin API. */
export interface GeoDatabaseInfo {
  readonly path: string;
  /** `GeoLite2-Country`, `GeoIP2-City`, ... from the mmdb metadata. */
  readonly databaseType: string;
  /** Build time from the mmdb metadata, seconds since the epoch. */
  readonly buildEpochSeconds: number;
  /** `official` (country.iso_code, continent.code) or `country_code` (ip-location-db). */
  readonly schema: 'official' | 'country_code';
}

/** A GeoIP database: address in, location out. Pure lookups, no I/O after open. */
export interface GeoLookup {
  readonly info: GeoDatabaseInfo;
  /** `ip` is a textual IPv4 or IPv6 address; a malformed address returns an unknown location with prefixLength 0. */
  lookup(ip: string): GeoLocation;
  /** An IPv4 address as an unsigned 32-bit integer: the query path's lookup, no strings. */
  lookupV4(addr: number): GeoLocation;
  /** The 16 IPv6 bytes at bytes[offset..]; IPv4-mapped addresses answer as IPv4. */
  lookupV6(bytes: Uint8Array, offset: number): GeoLocation;
  /**
   * The distinct places inside a network: `family` 4 with the address at bytes[offset, +4),
   * or 6 at bytes[offset, +16), masked to `prefix` bits. Undefined when there are more than
   * `limit` or the network is too fragmented to walk cheaply. Not for every query: cache it.
   */
  placesWithin(family: 4 | 6, bytes: Uint8Array, offset: number, prefix: number, limit: number): readonly Place[] | undefined;
}
