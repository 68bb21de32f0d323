/**
 * Builds small GeoIP databases in MaxMind's official GeoLite2/GeoIP2 schema for tests, so the
 * official-schema path is exercised without downloading MaxMind's data. Tests import these
 * functions; `node dist/scripts/build-test-mmdb.js <out-dir>` (after `tsc`) writes them to disk.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeMmdb, type MmdbNetwork, type MmdbValue } from './mmdb-writer.js';

/** One network of a test database, in the terms geosteer cares about. */
export interface TestNetwork {
  readonly network: string;
  /** Omitted for records that only carry registered_country (MaxMind does this for some anycast and satellite blocks). */
  readonly country?: string;
  readonly continent?: string;
  readonly registeredCountry?: string;
  /** City name, only used by the City variant. */
  readonly city?: string;
}

const COUNTRY_NAMES: Record<string, string> = {
  TW: 'Taiwan', SG: 'Singapore', US: 'United States', JP: 'Japan', DE: 'Germany', GB: 'United Kingdom',
};
const CONTINENT_NAMES: Record<string, string> = {
  AF: 'Africa', AN: 'Antarctica', AS: 'Asia', EU: 'Europe', NA: 'North America', OC: 'Oceania', SA: 'South America',
};

/** Default contents: a handful of real-looking blocks plus the schema's odd cases. */
export const DEFAULT_TEST_NETWORKS: readonly TestNetwork[] = [
  { network: '1.34.0.0/15', country: 'TW', continent: 'AS', registeredCountry: 'TW', city: 'Taipei' },
  { network: '203.116.0.0/16', country: 'SG', continent: 'AS', registeredCountry: 'SG', city: 'Singapore' },
  { network: '8.8.8.0/24', country: 'US', continent: 'NA', registeredCountry: 'US', city: 'Mountain View' },
  { network: '2001:b000::/20', country: 'TW', continent: 'AS', registeredCountry: 'TW', city: 'Taipei' },
  { network: '2400:cb00::/32', country: 'JP', continent: 'AS', registeredCountry: 'US', city: 'Tokyo' },
  // only registered_country: the country must come from it, the continent from the table
  { network: '192.0.2.0/24', registeredCountry: 'DE' },
  // only a continent (MaxMind uses this for blocks known to be "somewhere in Europe")
  { network: '198.51.100.0/24', continent: 'EU' },
];

function place(code: string): MmdbValue {
  return { geoname_id: 1000 + code.charCodeAt(0) * 26 + code.charCodeAt(1), iso_code: code, names: { en: COUNTRY_NAMES[code] ?? code } };
}

function officialRecord(n: TestNetwork, withCity: boolean): MmdbValue {
  const record: Record<string, MmdbValue> = {};
  if (withCity && n.city) record.city = { geoname_id: 5000, names: { en: n.city } };
  if (n.continent) record.continent = { code: n.continent, geoname_id: 6000, names: { en: CONTINENT_NAMES[n.continent] ?? n.continent } };
  if (n.country) record.country = place(n.country);
  if (withCity && n.country) record.location = { accuracy_radius: 100, latitude: 25.05, longitude: 121.53, time_zone: 'Asia/Taipei' };
  if (n.registeredCountry) record.registered_country = place(n.registeredCountry);
  return record;
}

function officialNetworks(networks: readonly TestNetwork[], withCity: boolean): MmdbNetwork[] {
  return networks.map((n) => ({ network: n.network, data: officialRecord(n, withCity) }));
}

/** Build options shared by the builders. */
export interface BuildOptions {
  readonly recordSize?: 24 | 28 | 32;
  readonly buildEpochSeconds?: number;
}

/** Writes a `GeoLite2-Country` database (IPv6 tree, IPv4 at ::/96 aliased from ::ffff:0:0/96). */
export function buildOfficialCountryMmdb(outPath: string, networks: readonly TestNetwork[] = DEFAULT_TEST_NETWORKS, options: BuildOptions = {}): string {
  writeFileSync(outPath, writeMmdb({
    databaseType: 'GeoLite2-Country',
    networks: officialNetworks(networks, false),
    recordSize: options.recordSize ?? 24,
    buildEpochSeconds: options.buildEpochSeconds ?? 1_750_000_000,
    aliasIPv4: true,
  }));
  return outPath;
}

/** Writes a `GeoIP2-City` database: the Country schema plus city and location. */
export function buildOfficialCityMmdb(outPath: string, networks: readonly TestNetwork[] = DEFAULT_TEST_NETWORKS, options: BuildOptions = {}): string {
  writeFileSync(outPath, writeMmdb({
    databaseType: 'GeoIP2-City',
    networks: officialNetworks(networks, true),
    recordSize: options.recordSize ?? 28,
    buildEpochSeconds: options.buildEpochSeconds ?? 1_750_000_000,
    aliasIPv4: true,
  }));
  return outPath;
}

/** Writes a database in the ip-location-db `{country_code}` schema. */
export function buildCountryCodeMmdb(outPath: string, networks: readonly { network: string; country: string }[], options: BuildOptions = {}): string {
  writeFileSync(outPath, writeMmdb({
    databaseType: 'country ipvAll',
    networks: networks.map((n) => ({ network: n.network, data: { country_code: n.country } })),
    recordSize: options.recordSize ?? 24,
    buildEpochSeconds: options.buildEpochSeconds ?? 1_750_000_000,
    languages: [],
    description: {},
  }));
  return outPath;
}

/** Writes an mmdb whose records fit no supported schema (an ASN database), to test rejection. */
export function buildAsnMmdb(outPath: string): string {
  writeFileSync(outPath, writeMmdb({
    databaseType: 'GeoLite2-ASN',
    networks: [{ network: '8.8.8.0/24', data: { autonomous_system_number: 15169, autonomous_system_organization: 'GOOGLE' } }],
    buildEpochSeconds: 1_750_000_000,
  }));
  return outPath;
}

function main(outDir: string): void {
  for (const path of [
    buildOfficialCountryMmdb(join(outDir, 'GeoLite2-Country-Test.mmdb')),
    buildOfficialCityMmdb(join(outDir, 'GeoIP2-City-Test.mmdb')),
  ]) console.log(path);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2] ?? '.');
}
