import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseConfigText, type LoadedConfig } from '../../src/config/load.js';
import type { Snapshot } from '../../src/control/snapshot.js';
import type { MessageHandler } from '../../src/dns/query-handler.js';
import type { EventLog } from '../../src/events/event-log.js';
import { BUNDLED_GEOIP_DATABASE } from '../../src/geo/bundled-database.js';
import { openGeoDatabase, type MmdbGeoDatabase } from '../../src/geo/mmdb-geo-database.js';
import { buildService, type Service, type ServiceDeps, type StartedService } from '../../src/service/build-service.js';
import { ConfigError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { HealthView } from '../../src/steering/region-status.js';
import type { RegionEndpoints } from '../../src/steering/types.js';

export const EXAMPLE_CONFIG = 'config/geosteer.example.yaml';

let bundled: Promise<MmdbGeoDatabase> | undefined;

/** The bundled GeoLite2 database, opened once per test file. */
export function bundledGeo(): Promise<MmdbGeoDatabase> {
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

/** A started service (the production wiring) with DNS on 127.0.0.1 (and ::1 when asked), on free ports. */
export interface TestServer {
  readonly service: Service;
  /** What start() bound. */
  readonly started: StartedService;
  readonly port: number;
  readonly port6: number | undefined;
  /** The snapshot answers come from now. */
  snapshot(): Snapshot;
  readonly events: EventLog;
  /** Replaces the health view (what checks or the quorum would do) and waits for the compile. */
  setHealth(view: HealthView): Promise<Snapshot>;
  /** Replaces the source-reported endpoints of one region (what a Kubernetes source would do) and waits for the compile. */
  setEndpoints(region: string, endpoints: RegionEndpoints | undefined): Promise<Snapshot>;
  close(): Promise<void>;
}

/**
 * The deps every test service gets unless it says otherwise: silent, one process, admin for
 * inject(), the shared GeoIP database. The environment is none of the caller's shell (tokens,
 * GEOSTEER_UDP) but `deps.env`, plus the addon build the sanitizer check chose
 * (GEOSTEER_UDP_ADDON): that build is the one every server started here loads.
 */
export async function testDeps(deps: Partial<ServiceDeps> = {}): Promise<ServiceDeps> {
  const addon = process.env.GEOSTEER_UDP_ADDON;
  const env = { ...(addon ? { GEOSTEER_UDP_ADDON: addon } : {}), ...deps.env };
  return { log: silentLogger(), workers: 1, adminListen: 'inject', geo: await bundledGeo(), defaultMetrics: false, ...deps, env };
}

/** Builds and starts geosteer on `doc` (default: the example config) with the real bundled GeoIP data. */
export async function startServer(doc: Record<string, any> | LoadedConfig = exampleDocument(), deps: Partial<ServiceDeps> = {}, opts: { ipv6?: boolean } = {}): Promise<TestServer> {
  const loaded = 'model' in doc && 'source' in doc ? (doc as LoadedConfig) : loadDocument(doc);
  const dnsListen = [{ host: '127.0.0.1', port: 0 }, ...(opts.ipv6 ? [{ host: '::1', port: 0 }] : [])];
  const service = await buildService(loaded, await testDeps({ dnsListen, ...deps }));
  const started = await service.start();
  const { control } = service;
  return {
    service,
    started,
    port: started.dns[0].port,
    port6: started.dns[1]?.port,
    snapshot: () => control.current(),
    events: service.events,
    setHealth: (view) => control.update({ health: view }, 'test: health'),
    setEndpoints: (region, endpoints) => {
      const all = new Map(control.current().inputs.endpoints);
      if (endpoints) all.set(region, endpoints);
      else all.delete(region);
      return control.update({ endpoints: all }, `test: endpoints of ${region}`);
    },
    close: () => service.stop(),
  };
}

/** The production wiring on `doc`, built but never started: its handler is called directly (hot-path tests). */
export async function builtHandler(doc: Record<string, any> = exampleDocument(), deps: Partial<ServiceDeps> = {}): Promise<{ service: Service; handler: MessageHandler }> {
  const service = await buildService(loadDocument(doc), await testDeps(deps));
  return { service, handler: service.handler! };
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
