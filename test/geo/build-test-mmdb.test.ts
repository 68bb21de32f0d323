import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Reader, type CityResponse } from 'maxmind';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOfficialCityMmdb, buildOfficialCountryMmdb } from '../../scripts/build-test-mmdb.js';
import { makeTempDir } from './helpers.js';

describe('scripts/build-test-mmdb', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  for (const recordSize of [24, 28, 32] as const) {
    it(`writes a GeoLite2-Country database the maxmind package reads (record size ${recordSize})`, () => {
      const path = buildOfficialCountryMmdb(join(dir, `country-${recordSize}.mmdb`), undefined, { recordSize });
      const reader = new Reader<CityResponse>(readFileSync(path));
      expect(reader.metadata.databaseType).toBe('GeoLite2-Country');
      expect(reader.metadata.ipVersion).toBe(6);
      expect(reader.metadata.recordSize).toBe(recordSize);
      expect(reader.metadata.buildEpoch.getTime()).toBe(1_750_000_000_000);

      const [tw, twPrefix] = reader.getWithPrefixLength('1.34.5.1');
      expect(tw?.country).toEqual({ geoname_id: expect.any(Number), iso_code: 'TW', names: { en: 'Taiwan' } });
      expect(tw?.continent?.code).toBe('AS');
      expect(twPrefix).toBe(15); // IPv4 bits, though the tree is IPv6

      expect(reader.getWithPrefixLength('203.116.0.1')[0]?.country?.iso_code).toBe('SG');
      expect(reader.getWithPrefixLength('8.8.8.8')).toEqual([expect.objectContaining({ continent: expect.objectContaining({ code: 'NA' }) }), 24]);
      expect(reader.getWithPrefixLength('2001:b000::1')).toEqual([expect.objectContaining({ country: expect.objectContaining({ iso_code: 'TW' }) }), 20]);
      expect(reader.getWithPrefixLength('10.0.0.1')[0]).toBeNull();
      // aliases: IPv4-mapped (::ffff:0:0/96) and 6to4 (2002::/16) reach the IPv4 subtree
      expect(reader.getWithPrefixLength('::ffff:1.34.5.1')).toEqual([tw, 96 + 15]);
      expect(reader.getWithPrefixLength('2002:0122:0501::1')).toEqual([tw, 16 + 15]);
    });
  }

  it('writes a GeoIP2-City database with city names', () => {
    const path = buildOfficialCityMmdb(join(dir, 'city.mmdb'));
    const reader = new Reader<CityResponse>(readFileSync(path));
    expect(reader.metadata.databaseType).toBe('GeoIP2-City');
    expect(reader.get('1.34.5.1')?.city?.names.en).toBe('Taipei');
    expect(reader.get('192.0.2.1')).toEqual({ registered_country: expect.objectContaining({ iso_code: 'DE' }) });
  });
});
