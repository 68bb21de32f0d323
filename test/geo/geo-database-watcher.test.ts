import { copyFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCountryCodeMmdb, buildOfficialCountryMmdb } from '../../scripts/build-test-mmdb.js';
import { watchGeoDatabase, type GeoDatabaseWatcher, type GeoLogger } from '../../src/geo/geo-database-watcher.js';
import type { GeoLookup } from '../../src/geo/geo-lookup.js';
import { openGeoDatabase, type MmdbGeoDatabase } from '../../src/geo/mmdb-geo-database.js';
import { waitFor } from '../support/poll.js';
import { makeTempDir } from './helpers.js';

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

function recordingLogger(): GeoLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

describe('GeoDatabaseWatcher', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let path: string;
  let serving: GeoLookup;
  let loaded: MmdbGeoDatabase[];
  let rejected: Error[];
  let logger: ReturnType<typeof recordingLogger>;
  let watcher: GeoDatabaseWatcher | undefined;

  const start = (checkIntervalMs = 50, watchDirectory = true): GeoDatabaseWatcher =>
    (watcher = watchGeoDatabase({
      path,
      watchDirectory,
      logger,
      current: serving as MmdbGeoDatabase,
      checkIntervalMs,
      debounceMs: 20,
      onLoaded: (db) => {
        serving = db; // the caller's swap: one reference assignment
        loaded.push(db);
      },
      onRejected: (error) => rejected.push(error),
    }));

  /** Writes `content` next to the database and renames it over, as geoipupdate does. */
  const replaceByRename = (write: (tmp: string) => void): void => {
    const tmp = join(dir, `GeoLite2-Country.mmdb.tmp-${Math.random().toString(36).slice(2)}`);
    write(tmp);
    renameSync(tmp, path);
  };

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    path = join(dir, 'GeoLite2-Country.mmdb');
    buildCountryCodeMmdb(path, [{ network: '8.8.8.0/24', country: 'US' }]);
    serving = await openGeoDatabase(path);
    loaded = [];
    rejected = [];
    logger = recordingLogger();
  });

  afterEach(async () => {
    watcher?.close();
    watcher = undefined;
    await cleanup();
  });

  it('does not reload an unchanged file', async () => {
    start(60_000);
    for (let i = 0; i < 3; i++) await watcher!.check(); // what every periodic tick does
    expect(loaded).toEqual([]);
    expect(rejected).toEqual([]);
  });

  it('reloads a database renamed over the old one (geoipupdate)', async () => {
    start();
    expect(serving.lookup('8.8.8.8')).toMatchObject({ country: 'US', prefixLength: 24 });
    replaceByRename((tmp) => buildOfficialCountryMmdb(tmp));
    await waitFor('the reload', () => loaded.length === 1);
    expect(serving.info.schema).toBe('official');
    expect(serving.lookup('1.34.5.1')).toEqual({ country: 'TW', continent: 'AS', prefixLength: 15 });
    expect(logger.lines).toContainEqual({
      level: 'info',
      obj: expect.objectContaining({ path, databaseType: 'GeoLite2-Country' }),
      msg: 'GeoIP database reloaded',
    });
    expect(rejected).toEqual([]);
  });

  it('reloads a database rewritten in place', async () => {
    start();
    writeFileSync(path, Buffer.alloc(0)); // truncate first: the half-written state a reader may see
    buildCountryCodeMmdb(path, [{ network: '8.8.8.0/24', country: 'JP' }]);
    await waitFor('the in-place rewrite to load', () => serving.lookup('8.8.8.8').country === 'JP');
  });

  it('refuses a garbage replacement and keeps serving the old database', async () => {
    start();
    const before = serving;
    replaceByRename((tmp) => writeFileSync(tmp, 'garbage, not an mmdb'));
    await waitFor('the rejection', () => rejected.length === 1);
    expect(rejected[0].message).toBe(`${path}: not a MaxMind DB (metadata marker not found); geoip.database must name a .mmdb file such as GeoLite2-Country.mmdb`);
    expect(loaded).toEqual([]);
    expect(serving).toBe(before);
    expect(serving.lookup('8.8.8.8')).toMatchObject({ country: 'US' });
    expect(logger.lines).toContainEqual({
      level: 'error',
      obj: { err: rejected[0], path },
      msg: 'GeoIP database replacement refused; keeping the loaded database',
    });
    // the same broken file is not retried on every tick ...
    for (let i = 0; i < 3; i++) await watcher!.check();
    expect(rejected).toHaveLength(1);
    // ... but a good one replacing it is loaded
    replaceByRename((tmp) => buildOfficialCountryMmdb(tmp));
    await waitFor('the reload after the refusal', () => loaded.length === 1);
    expect(serving.lookup('203.116.0.1').country).toBe('SG');
  });

  it('reports a deleted file once and loads it when it comes back', async () => {
    start();
    const backup = join(dir, 'backup.mmdb');
    copyFileSync(path, backup);
    rmSync(path);
    await waitFor('the missing-file report', () => rejected.length === 1);
    expect(rejected[0].message).toMatch(new RegExp(`^${path}: GeoIP database file is gone \\(ENOENT\\)`));
    for (let i = 0; i < 3; i++) await watcher!.check();
    expect(rejected).toHaveLength(1);
    expect(serving.lookup('8.8.8.8').country).toBe('US');
    buildCountryCodeMmdb(backup, [{ network: '8.8.8.0/24', country: 'CA' }]);
    renameSync(backup, path);
    await waitFor('the reload', () => loaded.length === 1);
    expect(serving.lookup('8.8.8.8').country).toBe('CA');
  });

  it('picks up a replacement through the periodic stat alone', async () => {
    start(30, false);
    replaceByRename((tmp) => buildOfficialCountryMmdb(tmp));
    await waitFor('the timer-driven reload', () => loaded.length === 1);
  });

  it('stops calling back after close()', async () => {
    start();
    watcher!.close();
    replaceByRename((tmp) => buildOfficialCountryMmdb(tmp));
    await watcher!.check(); // a no-op once closed
    expect(loaded).toEqual([]);
  });

  it('accepts a pino logger', () => {
    const log = pino({ enabled: false });
    start();
    watcher!.close();
    watcher = watchGeoDatabase({ path, logger: log, onLoaded: () => {} });
    expect(watcher).toBeDefined();
  });
});
