import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { App, type AppDeps } from '../../src/app.js';
import { parseConfigText, type LoadedConfig } from '../../src/config/load.js';
import { BUNDLED_GEOIP_DATABASE } from '../../src/geo/bundled-database.js';
import type { GeoLookup } from '../../src/geo/geo-lookup.js';
import { openGeoDatabase } from '../../src/geo/mmdb-geo-database.js';
import { ConfigError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';

export const EXAMPLE_CONFIG = 'config/geosteer.example.yaml';

let bundled: Promise<GeoLookup> | undefined;

/** The bundled GeoLite2 database, opened once per test file. */
export function bundledGeo(): Promise<GeoLookup> {
  bundled ??= openGeoDatabase(BUNDLED_GEOIP_DATABASE);
  return bundled;
}

/** The example config as a plain object, to be changed by a test before loading. */
export function exampleDocument(): Record<string, any> {
  return parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
}

/** Validates a config document the way the server does. */
export function loadDocument(doc: unknown, source = 'test.yaml'): LoadedConfig {
  return parseConfigText(stringify(doc), source);
}

/** A running server on 127.0.0.1 (and ::1 when asked), on free ports. */
export interface TestServer {
  app: App;
  port: number;
  port6: number | undefined;
  close(): Promise<void>;
}

/** Starts geosteer on `doc` (default: the example config) with the real bundled GeoIP data. */
export async function startServer(doc: Record<string, any> = exampleDocument(), deps: Partial<AppDeps> = {}, opts: { ipv6?: boolean } = {}): Promise<TestServer> {
  const app = new App(loadDocument(doc), { log: silentLogger(), geo: await bundledGeo(), ...deps });
  const addresses = [{ host: '127.0.0.1', port: 0 }, ...(opts.ipv6 ? [{ host: '::1', port: 0 }] : [])];
  const bound = await app.listen(addresses);
  return { app, port: bound[0].port, port6: bound[1]?.port, close: () => app.close() };
}

/** The problems the loader reports for the example config after `edit` (empty when valid). */
export function configProblems(edit: (doc: Record<string, any>) => void): string[] {
  const doc = exampleDocument();
  edit(doc);
  try {
    loadDocument(doc);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}
