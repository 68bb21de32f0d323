/**
 * Reloads the GeoIP database when its file is replaced. geoipupdate writes a temporary file
 * and renames it over the old one; editors and `cp` rewrite in place. fs.watch on the
 * directory catches both quickly (watching the file itself would follow the old inode after a
 * rename); a periodic stat catches whatever fs.watch misses (network filesystems, some
 * container mounts). A replacement that fails validation is refused and the loaded database
 * keeps serving; the caller swaps its reference in onLoaded, so no query waits on a reload.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { GeosteerError } from '../shared/errors.js';
import { fileSignatureOf, sameFileSignature, type FileSignature } from '../shared/file-signature.js';
import { openGeoDatabase, type MmdbGeoDatabase } from './mmdb-geo-database.js';

/** The pino methods the watcher uses (object first, then message). */
export interface GeoLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What to watch and whom to tell. */
export interface GeoDatabaseWatcherOptions {
  /** The database file (the same path the serving database was opened from). */
  readonly path: string;
  readonly logger: GeoLogger;
  /** Called with each validated replacement; swap the serving reference here. */
  readonly onLoaded: (db: MmdbGeoDatabase) => void;
  /** Called when a replacement is refused (corrupt, unreadable, missing); the old database keeps serving. */
  readonly onRejected?: (error: Error) => void;
  /** The serving database: its file signature tells an unchanged file from a replaced one. */
  readonly current?: { readonly source?: FileSignature };
  /** Stat fallback period; default 60 s (config `geoip.reload_check_interval`). */
  readonly checkIntervalMs?: number;
  /** Quiet time after the last file event before reloading, so a file is read once it is complete. */
  readonly debounceMs?: number;
  /** Watch the directory with fs.watch (default true); false leaves only the periodic stat, e.g. on NFS. */
  readonly watchDirectory?: boolean;
}

/** Watches one database file; see the module comment. Create it with watchGeoDatabase. */
export class GeoDatabaseWatcher {
  private readonly fileName: string;
  private loaded: FileSignature | undefined;
  private refused: FileSignature | 'missing' | undefined;
  private fsWatcher: FSWatcher | undefined;
  private readonly interval: NodeJS.Timeout;
  private debounce: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly opts: GeoDatabaseWatcherOptions) {
    this.fileName = basename(opts.path);
    this.loaded = opts.current?.source ?? statOrUndefined(opts.path);
    if (opts.watchDirectory !== false) this.watchDirectory();
    this.interval = setInterval(() => void this.check(), opts.checkIntervalMs ?? 60_000);
    this.interval.unref();
  }

  private watchDirectory(): void {
    const opts = this.opts;
    try {
      this.fsWatcher = watch(dirname(opts.path), { persistent: false }, (_event, name) => {
        // some platforms report no name: check anyway, the stat comparison filters noise
        if (name === null || name === this.fileName) this.schedule();
      });
      this.fsWatcher.on('error', (err) => {
        opts.logger.warn({ err, path: opts.path }, 'GeoIP database directory watch failed; relying on the periodic check');
        this.fsWatcher?.close();
        this.fsWatcher = undefined;
      });
    } catch (err) {
      opts.logger.warn({ err, path: opts.path }, 'cannot watch the GeoIP database directory; relying on the periodic check');
    }
  }

  /** Stat the file now and reload it if it changed; resolves when that is done. */
  check(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true; // a change during a reload gets its own pass
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.checkOnce();
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops watching; a reload in progress finishes without calling back. */
  close(): void {
    this.closed = true;
    this.fsWatcher?.close();
    this.fsWatcher = undefined;
    clearInterval(this.interval);
    if (this.debounce) clearTimeout(this.debounce);
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), this.opts.debounceMs ?? 250);
    this.debounce.unref();
  }

  private async checkOnce(): Promise<void> {
    const { path, logger } = this.opts;
    let signature: FileSignature;
    try {
      signature = fileSignatureOf(await stat(path));
    } catch (err) {
      if (this.refused !== 'missing') {
        this.refused = 'missing';
        this.reject(new GeosteerError('GEOIP_UNAVAILABLE', `${path}: GeoIP database file is gone (${(err as NodeJS.ErrnoException).code}); keeping the loaded database until it is back`, { cause: err }));
      }
      return;
    }
    if (sameFileSignature(signature, this.loaded)) return;
    if (this.refused !== 'missing' && sameFileSignature(signature, this.refused)) return; // refused already: wait for the next change
    let db: MmdbGeoDatabase;
    try {
      db = await openGeoDatabase(path);
    } catch (err) {
      if (this.closed) return;
      this.refused = signature;
      this.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (this.closed) return;
    this.loaded = db.source ?? signature;
    this.refused = undefined;
    logger.info(
      { path, databaseType: db.info.databaseType, buildEpochSeconds: db.info.buildEpochSeconds, schema: db.info.schema },
      'GeoIP database reloaded',
    );
    try {
      this.opts.onLoaded(db);
    } catch (err) {
      logger.error({ err, path }, 'GeoIP database onLoaded handler failed');
    }
  }

  private reject(error: Error): void {
    this.opts.logger.error({ err: error, path: this.opts.path }, 'GeoIP database replacement refused; keeping the loaded database');
    try {
      this.opts.onRejected?.(error);
    } catch (err) {
      this.opts.logger.error({ err, path: this.opts.path }, 'GeoIP database onRejected handler failed');
    }
  }
}

function statOrUndefined(path: string): FileSignature | undefined {
  try {
    return fileSignatureOf(statSync(path));
  } catch {
    return undefined;
  }
}

/** Starts watching `opts.path`; call close() on shutdown. */
export function watchGeoDatabase(opts: GeoDatabaseWatcherOptions): GeoDatabaseWatcher {
  return new GeoDatabaseWatcher(opts);
}
