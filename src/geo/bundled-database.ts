import { createRequire } from 'node:module';

/**
 * The GeoLite2 country database shipped with geosteer through the npm package
 * @ip-location-db/geolite2-country-mmdb (ip-location-db `{country_code}` schema, IPv4 and IPv6).
 * Resolved through node's resolver so it works from src/, dist/ and a global install alike.
 */
export const BUNDLED_GEOIP_DATABASE: string = createRequire(import.meta.url).resolve(
  '@ip-location-db/geolite2-country-mmdb/geolite2-country.mmdb',
);

/** Maps the config value `geoip.database` to a file path: `bundled` means the shipped database. */
export function resolveGeoDatabasePath(database: string): string {
  return database === 'bundled' ? BUNDLED_GEOIP_DATABASE : database;
}
