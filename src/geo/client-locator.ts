/**
 * The geo lookup of the DNS hot path: a per-prefix cache in front of a GeoLookup.
 *
 * Cache keys come in two kinds, and an entry is only stored where it is exactly right:
 * - block keys (the address masked to min(prefix, 24) bits for IPv4, min(prefix, 56) for
 *   IPv6, plus that length) hold a result only when the database network that answered is
 *   no longer than the block, i.e. it covers every address of the block;
 * - exact keys (the whole masked address) hold results of more specific networks, such as
 *   the single-address 1.34.0.0/32 inside a larger Taiwanese block.
 * A lookup tries the block key, then the exact key, then the database. So a cached answer is
 * always what a direct lookup of the masked address would return.
 */
import { unknownLocation } from './geo-location.js';
import type { GeoLocation, GeoLookup, Place } from './geo-lookup.js';
import { ipv4Mask, isIPv4Mapped, parseIPv4, parseIPv6, readUint32 } from '../shared/ip-address.js';
import { TwoGenerationCache } from './two-generation-cache.js';

const TWO_POW_32 = 4294967296;
/** IPv4 block length: ECS sources are /24 by default (RFC 7871 11.1), so /24 blocks cover most traffic. */
const V4_BLOCK_BITS = 24;
/** IPv6 block length: ECS sources are /56 by default (RFC 7871 11.1). */
const V6_BLOCK_BITS = 56;
/** Block keys are length * 2^24 + the block's top 24 bits. */
const V4_BLOCK_SCALE = 16777216;
/** Tag in the high part of numeric keys for exact IPv4 addresses (above every block key). */
const V4_EXACT_TAG = 33;
/** Distinct places a span lists before it is just "several" (more cannot all answer alike for long). */
const SPAN_PLACES = 8;
/** Spans cached: one per client network whose source prefix is shorter than its GeoIP network. */
const SPAN_ENTRIES = 10_000;

/** Cache hits and misses, counted across the locators of successive databases (for metrics). */
export interface LocatorStats {
  hits: number;
  misses: number;
}

/** Per-prefix cached client geolocation; see the module comment for the key scheme. */
export class ClientLocator {
  private db: GeoLookup;
  private readonly cache: TwoGenerationCache<number | string, GeoLocation>;
  /** Places within a source prefix (null: more than SPAN_PLACES), for dns.ecs.scope_beyond_source. */
  private readonly spans = new TwoGenerationCache<number | string, readonly Place[] | null>(SPAN_ENTRIES);
  private readonly masked = new Uint8Array(16);
  private readonly parsed = new Uint8Array(16);
  private readonly stats: LocatorStats;

  constructor(db: GeoLookup, opts: { maxEntries?: number; stats?: LocatorStats } = {}) {
    this.db = db;
    this.cache = new TwoGenerationCache(opts.maxEntries ?? 100_000);
    this.stats = opts.stats ?? { hits: 0, misses: 0 };
  }

  /** Lookups answered from the cache. */
  get hits(): number {
    return this.stats.hits;
  }

  /** Lookups that went to the database. */
  get misses(): number {
    return this.stats.misses;
  }

  /** Entries currently cached (never more than maxEntries). */
  get cacheSize(): number {
    return this.cache.size;
  }

  /** IPv4 address as an unsigned 32-bit integer, already masked to `prefix` bits (0..32). */
  locateV4(addr: number, prefix: number): GeoLocation {
    if (!(prefix >= 0 && prefix <= 32)) return unknownLocation(0);
    const a = (addr & ipv4Mask(prefix)) >>> 0; // callers mask already; masking again keeps keys honest
    const blockBits = prefix < V4_BLOCK_BITS ? prefix : V4_BLOCK_BITS;
    // (length << 24) + top 24 bits stays below 2^30: a small integer key, which V8 hashes
    // without allocating (a 2^32-scaled key is a heap number, allocated on every query)
    const blockKey = blockBits * V4_BLOCK_SCALE + (((a & ipv4Mask(blockBits)) >>> 0) >>> 8);
    let cached = this.cache.get(blockKey);
    let exactKey = -1;
    if (cached === undefined) {
      exactKey = V4_EXACT_TAG * TWO_POW_32 + a;
      cached = this.cache.get(exactKey);
    }
    if (cached !== undefined) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const location = this.db.lookupV4(a);
    this.cache.set(location.prefixLength <= blockBits ? blockKey : exactKey, location);
    return location;
  }

  /** IPv6 address: 16 bytes at bytes[offset..offset+16), already masked to `prefix` bits (0..128). */
  locateV6(bytes: Uint8Array, offset: number, prefix: number): GeoLocation {
    if (!(prefix >= 0 && prefix <= 128)) return unknownLocation(0);
    const m = this.maskV6(bytes, offset, prefix);
    // ::ffff:a.b.c.d is IPv4 (only reachable with prefix >= 96): same answer as GeoLookup.lookup
    if (isIPv4Mapped(m, 0)) return this.locateV4(readUint32(m, 12), prefix - 96);
    const blockBits = prefix < V6_BLOCK_BITS ? prefix : V6_BLOCK_BITS;
    // m is masked to `prefix`, and 56 is byte-aligned, so bytes 0..6 already are the block.
    // 16-bit char codes keep keys short: 4 chars for a block (7 bytes + length), 8 for an address.
    const blockKey = String.fromCharCode((m[0] << 8) | m[1], (m[2] << 8) | m[3], (m[4] << 8) | m[5], (m[6] << 8) | blockBits);
    let cached = this.cache.get(blockKey);
    let exactKey: string | undefined;
    if (cached === undefined) {
      exactKey = exactV6Key(m);
      cached = this.cache.get(exactKey);
    }
    if (cached !== undefined) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const location = this.db.lookupV6(m, 0);
    this.cache.set(location.prefixLength <= blockBits ? blockKey : (exactKey ?? exactV6Key(m)), location);
    return location;
  }

  /** A textual address (the query's source address): IPv4, IPv6 or IPv4-mapped IPv6 (treated as IPv4). */
  locateText(ip: string): GeoLocation {
    const v4 = parseIPv4(ip);
    if (v4 >= 0) return this.locateV4(v4, 32);
    if (!parseIPv6(ip, this.parsed, 0)) return unknownLocation(0);
    return this.locateV6(this.parsed, 0, 128);
  }

  /** A source address as bytes (the UDP batch path): family 4 at bytes[offset, +4), 6 at bytes[offset, +16); as locateText. */
  locateBytes(family: number, bytes: Uint8Array, offset: number): GeoLocation {
    return family === 4 ? this.locateV4(readUint32(bytes, offset), 32) : this.locateV6(bytes, offset, 128);
  }

  /**
   * The distinct places inside the `prefix`-bit IPv4 network at `addr` (masked), or undefined
   * when there are more than a few: whether a source prefix spans networks that may answer
   * differently (RFC 7871 7.2.1). Walks the GeoIP tree once per network, then cached.
   */
  spanV4(addr: number, prefix: number): readonly Place[] | undefined {
    const a = (addr & ipv4Mask(prefix)) >>> 0;
    const key = prefix * TWO_POW_32 + a;
    let span = this.spans.get(key);
    if (span === undefined) {
      const bytes = this.masked;
      bytes[0] = a >>> 24;
      bytes[1] = (a >>> 16) & 0xff;
      bytes[2] = (a >>> 8) & 0xff;
      bytes[3] = a & 0xff;
      span = this.db.placesWithin(4, bytes, 0, prefix, SPAN_PLACES) ?? null;
      this.spans.set(key, span);
    }
    return span ?? undefined;
  }

  /** spanV4 for the IPv6 network of `prefix` bits at bytes[offset, +16); IPv4-mapped networks as IPv4. */
  spanV6(bytes: Uint8Array, offset: number, prefix: number): readonly Place[] | undefined {
    const m = this.maskV6(bytes, offset, prefix);
    if (prefix >= 96 && isIPv4Mapped(m, 0)) return this.spanV4(readUint32(m, 12), prefix - 96);
    const key = exactV6Key(m) + String.fromCharCode(prefix);
    let span = this.spans.get(key);
    if (span === undefined) {
      span = this.db.placesWithin(6, m, 0, prefix, SPAN_PLACES) ?? null;
      this.spans.set(key, span);
    }
    return span ?? undefined;
  }

  /** bytes[offset, +16) masked to `prefix` bits, in the locator's scratch buffer. */
  private maskV6(bytes: Uint8Array, offset: number, prefix: number): Uint8Array {
    const m = this.masked;
    for (let i = 0; i < 16; i++) {
      const bits = prefix - i * 8;
      m[i] = bits >= 8 ? bytes[offset + i] : bits <= 0 ? 0 : bytes[offset + i] & (0xff << (8 - bits));
    }
    return m;
  }

  /** Swap the database (after a reload) and drop the cache. */
  setDatabase(db: GeoLookup): void {
    this.db = db;
    this.cache.clear();
    this.spans.clear();
  }
}

function exactV6Key(m: Uint8Array): string {
  return String.fromCharCode(
    (m[0] << 8) | m[1], (m[2] << 8) | m[3], (m[4] << 8) | m[5], (m[6] << 8) | m[7],
    (m[8] << 8) | m[9], (m[10] << 8) | m[11], (m[12] << 8) | m[13], (m[14] << 8) | m[15],
  );
}
