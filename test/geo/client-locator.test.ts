import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCountryCodeMmdb } from '../../scripts/build-test-mmdb.js';
import { BUNDLED_GEOIP_DATABASE } from '../../src/geo/bundled-database.js';
import { ClientLocator } from '../../src/geo/client-locator.js';
import type { GeoDatabaseInfo, GeoLocation, GeoLookup } from '../../src/geo/geo-lookup.js';
import { formatIPv4, formatIPv6, ipv4Mask } from '../../src/shared/ip-address.js';
import { openGeoDatabase, type MmdbGeoDatabase } from '../../src/geo/mmdb-geo-database.js';
import { TwoGenerationCache } from '../../src/geo/two-generation-cache.js';
import { makeTempDir, seededRandom } from './helpers.js';

const ip4 = (text: string): number => text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);

/** A GeoLookup that counts calls, to see what the cache saves. */
function counting(db: GeoLookup): GeoLookup & { calls: number } {
  const wrapper = {
    calls: 0,
    info: db.info,
    lookup(ip: string): GeoLocation {
      wrapper.calls++;
      return db.lookup(ip);
    },
    lookupV4(addr: number): GeoLocation {
      wrapper.calls++;
      return db.lookupV4(addr);
    },
    lookupV6(bytes: Uint8Array, offset: number): GeoLocation {
      wrapper.calls++;
      return db.lookupV6(bytes, offset);
    },
    placesWithin(family: 4 | 6, bytes: Uint8Array, offset: number, prefix: number, limit: number) {
      wrapper.calls++;
      return db.placesWithin(family, bytes, offset, prefix, limit);
    },
  };
  return wrapper;
}

function maskV6(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = prefix - i * 8;
    out[i] = bits >= 8 ? bytes[i] : bits <= 0 ? 0 : bytes[i] & (0xff << (8 - bits));
  }
  return out;
}

describe('ClientLocator on the bundled data', () => {
  let db: MmdbGeoDatabase;
  beforeAll(async () => {
    db = await openGeoDatabase(BUNDLED_GEOIP_DATABASE);
  });

  it('locates text addresses like the database does', () => {
    const locator = new ClientLocator(db);
    for (const ip of ['1.34.5.1', '203.116.0.1', '8.8.8.8', '2001:b000::1', '2600::1', '127.0.0.1', '::ffff:1.34.5.1', 'fe80::1%eth0']) {
      expect(locator.locateText(ip), ip).toBe(db.lookup(ip));
    }
    expect(locator.locateText('::ffff:203.116.0.1')).toEqual({ country: 'SG', continent: 'AS', prefixLength: 17 });
    expect(locator.locateText('not an address')).toEqual({ country: undefined, continent: undefined, prefixLength: 0 });
  });

  it('keeps the 1.34.0.0/32 oddity apart from its /24 and from its neighbours', () => {
    const locator = new ClientLocator(db);
    const net = ip4('1.34.0.0');
    // the /24 ECS subnet 1.34.0.0/24 is looked up as its network address, which is CN/32
    expect(locator.locateV4(net, 24)).toEqual({ country: 'CN', continent: 'AS', prefixLength: 32 });
    // that answer must not leak to other addresses of the same /24 ...
    expect(locator.locateV4(ip4('1.34.0.1'), 32)).toEqual({ country: 'TW', continent: 'AS', prefixLength: 32 });
    expect(locator.locateV4(ip4('1.34.0.77'), 32)).toMatchObject({ country: 'TW' });
    expect(locator.locateText('1.34.0.200')).toMatchObject({ country: 'TW' });
    // ... nor to the enclosing /16
    expect(locator.locateV4(ip4('1.34.0.0'), 16)).toEqual(db.lookup('1.34.0.0'));
    expect(locator.locateV4(ip4('1.34.0.0'), 24)).toMatchObject({ country: 'CN' });
    expect(locator.locateV4(ip4('1.34.5.0'), 24)).toEqual({ country: 'TW', continent: 'AS', prefixLength: 22 });
  });

  it('serves repeat lookups in the same block from the cache', () => {
    const backend = counting(db);
    const locator = new ClientLocator(backend);
    expect(locator.locateV4(ip4('203.116.5.0'), 24).country).toBe('SG');
    expect(locator.locateV4(ip4('203.116.5.9'), 32).country).toBe('SG'); // same /24 block, SG network is /17
    expect(locator.locateText('203.116.5.200').country).toBe('SG');
    expect(backend.calls).toBe(1);
    expect([locator.hits, locator.misses]).toEqual([2, 1]);
    locator.locateV6(new Uint8Array([0x20, 0x01, 0xb0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 56);
    locator.locateText('2001:b000::1');
    expect(backend.calls).toBe(2);
    expect([locator.hits, locator.misses]).toEqual([3, 2]);
  });

  it('agrees with direct lookups for thousands of random IPv4 addresses and prefixes', () => {
    const random = seededRandom(42);
    const locator = new ClientLocator(db, { maxEntries: 2_000 }); // small, so eviction happens too
    // addresses cluster in a few /16s so that blocks are shared and the cache gets hits
    const hotSpots = ['1.34.0.0', '203.116.0.0', '8.8.0.0', '126.0.0.0', '10.0.0.0', '210.130.0.0'].map(ip4);
    for (let i = 0; i < 20_000; i++) {
      const base = random() < 0.7 ? hotSpots[Math.floor(random() * hotSpots.length)] + Math.floor(random() * 65536) : Math.floor(random() * 2 ** 32);
      const prefix = [0, 8, 15, 16, 20, 22, 23, 24, 24, 24, 25, 28, 30, 31, 32, 32][Math.floor(random() * 16)];
      const masked = (base & ipv4Mask(prefix)) >>> 0;
      const expected = db.lookup(formatIPv4(masked));
      expect(locator.locateV4(masked, prefix), `${formatIPv4(masked)}/${prefix}`).toBe(expected);
    }
    // the special cases, after the cache is warm
    for (const [ip, prefix] of [['1.34.0.0', 32], ['1.34.0.0', 24], ['1.34.0.1', 32], ['1.34.0.0', 15]] as const) {
      expect(locator.locateV4(ip4(ip), prefix)).toBe(db.lookup(ip));
    }
    expect(locator.hits).toBeGreaterThan(5_000);
  });

  it('agrees with direct lookups for random IPv6 addresses and prefixes', () => {
    const random = seededRandom(7);
    const locator = new ClientLocator(db, { maxEntries: 1_000 });
    const hotSpots = [[0x20, 0x01, 0xb0, 0x00], [0x24, 0x06, 0x30, 0x00], [0x26, 0x00, 0x00, 0x00], [0x20, 0x01, 0x0d, 0x08], [0x24, 0x00, 0x40, 0x00]];
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 10_000; i++) {
      for (let b = 0; b < 16; b++) bytes[b] = Math.floor(random() * 256);
      if (random() < 0.8) bytes.set(hotSpots[Math.floor(random() * hotSpots.length)].slice(0, random() < 0.5 ? 4 : 3));
      if (random() < 0.05) bytes.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]); // IPv4-mapped
      const prefix = [0, 20, 32, 48, 56, 56, 56, 64, 96, 100, 120, 128][Math.floor(random() * 12)];
      const masked = maskV6(bytes, prefix);
      const offset = 3; // the locator must honour the offset
      const packet = new Uint8Array(32);
      packet.set(masked, offset);
      const expected = db.lookup(formatIPv6(masked, 0));
      expect(locator.locateV6(packet, offset, prefix), `${formatIPv6(masked, 0)}/${prefix}`).toBe(expected);
    }
    expect(locator.hits).toBeGreaterThan(1_000);
  });

  it('never holds more than maxEntries entries', () => {
    const locator = new ClientLocator(db, { maxEntries: 100 });
    for (let i = 0; i < 5_000; i++) {
      locator.locateV4((i * 2654435761) >>> 0, 32);
      expect(locator.cacheSize).toBeLessThanOrEqual(100);
    }
  });

  it('drops the cache when the database is swapped', () => {
    const japan = Object.freeze({ country: 'JP', continent: 'AS', prefixLength: 8 });
    const fake: GeoLookup = {
      info: { path: 'fake', databaseType: 'fake', buildEpochSeconds: 0, schema: 'country_code' } satisfies GeoDatabaseInfo,
      lookup: () => japan,
      lookupV4: () => japan,
      lookupV6: () => japan,
      placesWithin: () => [japan],
    };
    const locator = new ClientLocator(db);
    expect(locator.locateText('8.8.8.8').country).toBe('US');
    locator.setDatabase(fake);
    expect(locator.cacheSize).toBe(0);
    expect(locator.locateText('8.8.8.8').country).toBe('JP');
  });

  it('answers out-of-range prefixes with unknown instead of caching nonsense', () => {
    const locator = new ClientLocator(db);
    expect(locator.locateV4(ip4('8.8.8.8'), 33).prefixLength).toBe(0);
    expect(locator.locateV6(new Uint8Array(16), 0, 129).prefixLength).toBe(0);
    expect(locator.cacheSize).toBe(0);
  });
});

describe('ClientLocator with networks more specific than its blocks', () => {
  let db: MmdbGeoDatabase;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    db = await openGeoDatabase(
      buildCountryCodeMmdb(join(temp.dir, 'nested.mmdb'), [
        { network: '2001:db8::/32', country: 'TW' },
        { network: '2001:db8::/64', country: 'JP' }, // inside the first /56 block
        { network: '2001:db8:0:0:8000::/65', country: 'SG' },
        { network: '2001:db8::1/128', country: 'KR' },
        { network: '2001:db8:0:1::/64', country: 'US' },
        { network: '2001:db8:2::/48', country: 'MY' },
        { network: '198.51.100.0/24', country: 'TW' },
        { network: '198.51.100.128/26', country: 'JP' },
        { network: '198.51.100.129/32', country: 'KR' },
      ]),
    );
  });
  afterAll(() => cleanup());

  it('agrees with direct lookups for random addresses in nested IPv6 networks', () => {
    const random = seededRandom(99);
    const locator = new ClientLocator(db, { maxEntries: 500 });
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 10_000; i++) {
      bytes.set([0x20, 0x01, 0x0d, 0xb8, 0, Math.floor(random() * 4), 0, Math.floor(random() * 3)]);
      for (let b = 8; b < 16; b++) bytes[b] = random() < 0.5 ? 0 : Math.floor(random() * 256);
      if (random() < 0.1) bytes.set([0x80], 8);
      if (random() < 0.1) bytes.set([0, 0, 0, 0, 0, 0, 0, 1], 8);
      const prefix = [32, 48, 56, 56, 60, 64, 65, 72, 100, 127, 128, 128][Math.floor(random() * 12)];
      const masked = maskV6(bytes, prefix);
      expect(locator.locateV6(masked, 0, prefix), `${formatIPv6(masked, 0)}/${prefix}`).toBe(db.lookup(formatIPv6(masked, 0)));
    }
    expect(locator.hits).toBeGreaterThan(1_000);
  });

  it('agrees with direct lookups for random addresses in nested IPv4 networks', () => {
    const random = seededRandom(5);
    const locator = new ClientLocator(db, { maxEntries: 200 });
    for (let i = 0; i < 5_000; i++) {
      const addr = ip4('198.51.100.0') + Math.floor(random() * 256);
      const prefix = [16, 24, 25, 26, 27, 31, 32, 32][Math.floor(random() * 8)];
      const masked = (addr & ipv4Mask(prefix)) >>> 0;
      expect(locator.locateV4(masked, prefix), `${formatIPv4(masked)}/${prefix}`).toBe(db.lookup(formatIPv4(masked)));
    }
  });
});

describe('TwoGenerationCache', () => {
  it('keeps recently used entries and bounds its size', () => {
    const cache = new TwoGenerationCache<number, string>(10);
    for (let i = 0; i < 4; i++) cache.set(i, `v${i}`);
    cache.set(4, 'v4'); // young reaches 5 = maxEntries/2: becomes old
    expect(cache.get(0)).toBe('v0'); // promoted from old into young
    for (let i = 5; i < 9; i++) cache.set(i, `v${i}`); // young fills again: old (0..4) dropped, 0 survives
    expect(cache.get(0)).toBe('v0');
    expect(cache.get(1)).toBeUndefined();
    expect(cache.size).toBeLessThanOrEqual(10);
  });

  it('rejects a bound that cannot hold two generations', () => {
    expect(() => new TwoGenerationCache(1)).toThrow('maxEntries must be an integer >= 2');
  });
});
