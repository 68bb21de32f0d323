import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Reader } from 'maxmind';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAsnMmdb,
  buildCountryCodeMmdb,
  buildOfficialCityMmdb,
  buildOfficialCountryMmdb,
} from '../../scripts/build-test-mmdb.js';
import { BUNDLED_GEOIP_DATABASE, resolveGeoDatabasePath } from '../../src/geo/bundled-database.js';
import { geoDatabaseFromBuffer, openGeoDatabase, type MmdbGeoDatabase } from '../../src/geo/mmdb-geo-database.js';
import { formatIPv4, formatIPv6 } from '../../src/shared/ip-address.js';
import { makeTempDir, seededRandom } from './helpers.js';

// Checked against the bundled data (@ip-location-db/geolite2-country-mmdb 2.3.2026061719).
// Prefix lengths are those of the (merged) ip-location-db networks, in IPv4 bits for IPv4.
const BUNDLED_CASES: [ip: string, country: string, continent: string, prefixLength: number][] = [
  ['1.34.5.1', 'TW', 'AS', 22],
  ['203.116.0.1', 'SG', 'AS', 17],
  ['175.136.0.1', 'MY', 'AS', 13],
  ['126.0.0.1', 'JP', 'AS', 16],
  ['175.192.0.1', 'KR', 'AS', 10],
  ['8.8.8.8', 'US', 'NA', 15],
  ['70.24.0.1', 'CA', 'NA', 16],
  ['187.128.0.1', 'MX', 'NA', 11],
  ['177.0.0.1', 'BR', 'SA', 17],
  ['112.118.0.1', 'HK', 'AS', 15],
  ['2001:b000::1', 'TW', 'AS', 21],
  ['2406:3000::1', 'SG', 'AS', 30],
  ['2400:4000::1', 'JP', 'AS', 26],
  ['2600::1', 'US', 'NA', 32],
  ['2001:d08::1', 'MY', 'AS', 32],
  // the npm build's single-address oddity: 1.34.0.0/32 is CN inside a Taiwanese block
  ['1.34.0.0', 'CN', 'AS', 32],
  ['1.34.0.1', 'TW', 'AS', 32],
];

describe('openGeoDatabase on the bundled GeoLite2 data', () => {
  let db: MmdbGeoDatabase;
  let raw: Reader<Record<string, unknown>>;
  beforeAll(async () => {
    db = await openGeoDatabase(BUNDLED_GEOIP_DATABASE);
    raw = new Reader(readFileSync(BUNDLED_GEOIP_DATABASE));
  });

  it('resolves the bundled path through the npm package', () => {
    expect(BUNDLED_GEOIP_DATABASE).toBe(
      createRequire(import.meta.url).resolve('@ip-location-db/geolite2-country-mmdb/geolite2-country.mmdb'),
    );
    expect(resolveGeoDatabasePath('bundled')).toBe(BUNDLED_GEOIP_DATABASE);
    expect(resolveGeoDatabasePath('/usr/share/GeoIP/GeoLite2-Country.mmdb')).toBe('/usr/share/GeoIP/GeoLite2-Country.mmdb');
  });

  it('detects the country_code schema and reads the metadata', () => {
    expect(db.info).toEqual({
      path: BUNDLED_GEOIP_DATABASE,
      databaseType: 'country ipvAll',
      buildEpochSeconds: expect.any(Number),
      schema: 'country_code',
    });
    expect(db.info.buildEpochSeconds).toBeGreaterThan(1_600_000_000);
    expect(db.source?.size).toBeGreaterThan(1_000_000);
  });

  it.each(BUNDLED_CASES)('%s is %s (%s) in a /%i', (ip, country, continent, prefixLength) => {
    const location = db.lookup(ip);
    expect(location).toEqual({ country, continent, prefixLength });
    expect(Object.isFrozen(location)).toBe(true);
    // agrees with the maxmind package used directly
    const [record, rawPrefix] = raw.getWithPrefixLength(ip);
    expect([record?.country_code, rawPrefix]).toEqual([country, prefixLength]);
  });

  it('answers unknown with the prefix of the empty network for private and loopback space', () => {
    expect(db.lookup('127.0.0.1')).toEqual({ country: undefined, continent: undefined, prefixLength: 8 });
    expect(db.lookup('10.0.0.1')).toEqual({ country: undefined, continent: undefined, prefixLength: 8 });
  });

  it('treats IPv4-mapped IPv6 as IPv4 (the bundled tree has no ::ffff:0:0/96 alias)', () => {
    expect(raw.getWithPrefixLength('::ffff:1.34.5.1')[0]).toBeNull();
    expect(db.lookup('::ffff:1.34.5.1')).toBe(db.lookup('1.34.5.1'));
    expect(db.lookup('::ffff:0122:0501')).toBe(db.lookup('1.34.5.1'));
  });

  it('answers malformed addresses with unknown, prefix 0', () => {
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.256', '01.2.3.4', '1.2.3.4.5', '2001:b000::1::', 'gggg::1', ' 1.2.3.4']) {
      expect(db.lookup(bad), bad).toEqual({ country: undefined, continent: undefined, prefixLength: 0 });
    }
  });

  it('returns the same frozen object for the same country and prefix', () => {
    expect(db.lookup('1.34.5.1')).toBe(db.lookup('1.34.6.200'));
    expect(db.lookup('127.0.0.1')).toBe(db.lookup('127.1.2.3'));
    expect(db.lookup('8.8.8.8')).not.toBe(db.lookup('2600::1'));
  });

  it('keeps IPv4 prefix lengths within 0..32 for random addresses', () => {
    for (let i = 0; i < 2_000; i++) {
      const addr = (Math.random() * 2 ** 32) >>> 0;
      const ip = `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
      const { prefixLength } = db.lookup(ip);
      expect(prefixLength).toBeGreaterThanOrEqual(0);
      expect(prefixLength).toBeLessThanOrEqual(32);
    }
  });
});

describe('openGeoDatabase on databases in MaxMind\'s official schema', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  it('reads GeoLite2-Country: country.iso_code, continent.code, registered_country fallback', async () => {
    const db = await openGeoDatabase(buildOfficialCountryMmdb(join(dir, 'GeoLite2-Country.mmdb')));
    expect(db.info).toMatchObject({ databaseType: 'GeoLite2-Country', schema: 'official', buildEpochSeconds: 1_750_000_000 });
    expect(db.lookup('1.34.5.1')).toEqual({ country: 'TW', continent: 'AS', prefixLength: 15 });
    expect(db.lookup('203.116.0.1')).toEqual({ country: 'SG', continent: 'AS', prefixLength: 16 });
    expect(db.lookup('8.8.8.8')).toEqual({ country: 'US', continent: 'NA', prefixLength: 24 });
    expect(db.lookup('2001:b000::1')).toEqual({ country: 'TW', continent: 'AS', prefixLength: 20 });
    // the country, not the registered country (US), decides
    expect(db.lookup('2400:cb00::1')).toEqual({ country: 'JP', continent: 'AS', prefixLength: 32 });
    // only registered_country: country from it, continent from the table
    expect(db.lookup('192.0.2.1')).toEqual({ country: 'DE', continent: 'EU', prefixLength: 24 });
    // only a continent
    expect(db.lookup('198.51.100.7')).toEqual({ country: undefined, continent: 'EU', prefixLength: 24 });
    expect(db.lookup('10.0.0.1')).toMatchObject({ country: undefined, continent: undefined });
    // MaxMind's ::ffff:0:0/96 alias would give 96+ bits; mapped addresses are answered as IPv4
    expect(db.lookup('::ffff:1.34.5.1')).toEqual({ country: 'TW', continent: 'AS', prefixLength: 15 });
  });

  it('reads GeoIP2-City (28-bit records) through the same schema', async () => {
    const db = await openGeoDatabase(buildOfficialCityMmdb(join(dir, 'GeoIP2-City.mmdb')));
    expect(db.info).toMatchObject({ databaseType: 'GeoIP2-City', schema: 'official' });
    expect(db.lookup('1.34.5.1')).toEqual({ country: 'TW', continent: 'AS', prefixLength: 15 });
    expect(db.lookup('2001:b000:1::1')).toEqual({ country: 'TW', continent: 'AS', prefixLength: 20 });
  });

  it('reads a country_code database built by the script', async () => {
    const db = await openGeoDatabase(buildCountryCodeMmdb(join(dir, 'cc.mmdb'), [{ network: '1.34.0.0/15', country: 'TW' }]));
    expect(db.info.schema).toBe('country_code');
    expect(db.lookup('1.34.200.1')).toEqual({ country: 'TW', continent: 'AS', prefixLength: 15 });
  });

  it('answers IPv6 lookups in an IPv4-only database as unknown', async () => {
    const ipv4Only = createRequire(import.meta.url).resolve('@ip-location-db/geolite2-country-mmdb/geolite2-country-ipv4.mmdb');
    const db = await openGeoDatabase(ipv4Only);
    expect(db.lookup('1.34.5.1')).toMatchObject({ country: 'TW' });
    expect(db.lookup('2001:b000::1')).toEqual({ country: undefined, continent: undefined, prefixLength: 0 });
  });
});

describe('numeric lookups walk the tree exactly as mmdb-lib does', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  type Raw = Record<string, { iso_code?: string } | string | undefined>;
  const countryOf = (record: Raw | null): string | undefined => {
    if (record === null) return undefined;
    const code = record.country_code;
    if (typeof code === 'string') return code;
    const official = record.country ?? record.registered_country;
    return typeof official === 'object' ? official.iso_code : undefined;
  };

  /** Random addresses through lookupV4/lookupV6 against mmdb-lib's string lookups of the same file. */
  function agreeWithReader(path: string, seed: number, ipv6: boolean): void {
    const db = geoDatabaseFromBuffer(readFileSync(path), path);
    const raw = new Reader<Raw>(readFileSync(path));
    const random = seededRandom(seed);
    for (let i = 0; i < 3_000; i++) {
      const addr = Math.floor(random() * 2 ** 32) >>> 0;
      const [record, prefix] = raw.getWithPrefixLength(formatIPv4(addr));
      const location = db.lookupV4(addr);
      expect([location.country, location.prefixLength], formatIPv4(addr)).toEqual([countryOf(record), prefix]);
    }
    const bytes = new Uint8Array(16);
    for (let i = 0; i < (ipv6 ? 2_000 : 0); i++) {
      for (let b = 0; b < 16; b++) bytes[b] = Math.floor(random() * 256);
      bytes[0] = 0x20 + Math.floor(random() * 16); // 2000::/4 holds the allocated space
      const text = formatIPv6(bytes, 0);
      const [record, prefix] = raw.getWithPrefixLength(text);
      const location = db.lookupV6(bytes, 0);
      expect([location.country, location.prefixLength], text).toEqual([countryOf(record), prefix]);
      expect(db.lookup(text), text).toBe(location);
    }
  }

  it('on the bundled data (24-bit records, IPv4 inside an IPv6 tree)', () => {
    agreeWithReader(BUNDLED_GEOIP_DATABASE, 7, true);
  });

  it('on the bundled IPv4-only file (an IPv4 tree)', () => {
    agreeWithReader(createRequire(import.meta.url).resolve('@ip-location-db/geolite2-country-mmdb/geolite2-country-ipv4.mmdb'), 8, false);
  });

  it('on 28-bit (City) and 32-bit record trees', () => {
    agreeWithReader(buildOfficialCityMmdb(join(dir, 'city.mmdb')), 9, true);
    const nested = [
      { network: '1.0.0.0/8', country: 'AU' },
      { network: '1.34.0.0/15', country: 'TW' },
      { network: '1.34.0.0/32', country: 'CN' },
      { network: '128.0.0.0/1', country: 'US' },
      { network: '2001:b000::/20', country: 'TW' },
      { network: '2400::/12', country: 'JP' },
    ];
    agreeWithReader(buildCountryCodeMmdb(join(dir, 'wide.mmdb'), nested, { recordSize: 32 }), 10, true);
  });

  it('reads IPv4-mapped bytes as the IPv4 address', async () => {
    const db = await openGeoDatabase(BUNDLED_GEOIP_DATABASE);
    const mapped = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 34, 5, 1]);
    expect(db.lookupV6(mapped, 0)).toBe(db.lookup('1.34.5.1'));
    expect(db.lookupV4((1 * 2 ** 24) + (34 << 16) + (5 << 8) + 1)).toEqual({ country: 'TW', continent: 'AS', prefixLength: 22 });
  });
});

describe('openGeoDatabase refuses files it cannot serve from', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  const write = (name: string, content: Buffer | string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('rejects a file that is not an mmdb, naming the path', async () => {
    const path = write('GeoLite2-Country.mmdb', 'this is not a database\n'.repeat(100));
    await expect(openGeoDatabase(path)).rejects.toThrow(`${path}: not a MaxMind DB (metadata marker not found)`);
    await expect(openGeoDatabase(path)).rejects.toMatchObject({ code: 'GEOIP_UNAVAILABLE' });
  });

  it('rejects an empty file', async () => {
    const path = write('empty.mmdb', '');
    await expect(openGeoDatabase(path)).rejects.toThrow(`${path}: not a MaxMind DB`);
  });

  it('rejects a gzip-compressed database with the fix', async () => {
    const path = write('gz.mmdb', gzipSync(readFileSync(buildOfficialCountryMmdb(join(dir, 'plain.mmdb')))));
    await expect(openGeoDatabase(path)).rejects.toThrow(`${path}: gzip-compressed; decompress it first`);
  });

  it('rejects a truncated database whose tree runs past the data', async () => {
    const whole = readFileSync(buildOfficialCountryMmdb(join(dir, 'whole.mmdb')));
    const marker = whole.lastIndexOf(Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1'));
    // keep the metadata but drop most of the tree and data
    const path = write('truncated.mmdb', Buffer.concat([whole.subarray(0, 40), whole.subarray(marker)]));
    await expect(openGeoDatabase(path)).rejects.toThrow(new RegExp(`^${path}: (truncated or corrupt|corrupt MaxMind DB)`));
  });

  it('rejects a tree with records pointing outside the data section', async () => {
    const bytes = Buffer.from(readFileSync(buildOfficialCountryMmdb(join(dir, 'ok.mmdb'))));
    bytes.fill(0xff, 0, 6 * 4); // first nodes: 24-bit records of 0xffffff
    const path = write('bad-tree.mmdb', bytes);
    await expect(openGeoDatabase(path)).rejects.toThrow(`${path}: corrupt MaxMind DB (search tree record`);
  });

  it('rejects an mmdb of another kind (ASN) with the supported schemas in the message', async () => {
    const path = buildAsnMmdb(join(dir, 'GeoLite2-ASN.mmdb'));
    await expect(openGeoDatabase(path)).rejects.toThrow(
      `${path}: unsupported record schema (database_type "GeoLite2-ASN", record keys: autonomous_system_number, autonomous_system_organization)`,
    );
  });

  it('rejects a missing file with the fix', async () => {
    const path = join(dir, 'nope.mmdb');
    await expect(openGeoDatabase(path)).rejects.toThrow(`${path}: cannot read the GeoIP database (ENOENT); check geoip.database, or run geoipupdate`);
  });

  it('validates buffers the same way', () => {
    expect(() => geoDatabaseFromBuffer(Buffer.from('garbage'), 'geo/GeoLite2-Country.mmdb')).toThrow(
      'geo/GeoLite2-Country.mmdb: not a MaxMind DB (metadata marker not found)',
    );
    const db = geoDatabaseFromBuffer(readFileSync(buildOfficialCountryMmdb(join(dir, 'buf.mmdb'))), 'in-memory');
    expect(db.info.path).toBe('in-memory');
    expect(db.source).toBeUndefined();
    expect(db.lookup('8.8.8.8').country).toBe('US');
  });
});
