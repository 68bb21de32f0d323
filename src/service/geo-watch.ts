import type { LoadedConfig } from '../config/load.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { EventLog } from '../events/event-log.js';
import { resolveGeoDatabasePath } from '../geo/bundled-database.js';
import { watchGeoDatabase, type GeoDatabaseWatcher } from '../geo/geo-database-watcher.js';
import { openGeoDatabase, type MmdbGeoDatabase } from '../geo/mmdb-geo-database.js';
import type { Logger } from '../shared/logger.js';
import type { Subsystem } from './subsystem.js';

/**
 * The GeoIP database as an input: the one opened at start is generation 1; every validated
 * replacement of the file (geoipupdate) or a reload naming another file is the next
 * generation, handed to the control plane (and from there to DNS and every worker). A
 * refused replacement leaves the serving one in place. Both outcomes are events.
 */
export function geoDatabaseInput(opts: { control: ControlPlane; events: EventLog; log: Logger; config: () => LoadedConfig }): Subsystem {
  let watcher: GeoDatabaseWatcher | undefined;
  const { control, events, log } = opts;

  const accept = async (db: MmdbGeoDatabase, why: string) => {
    const generation = control.current().inputs.geo.generation + 1;
    await control.update({ geo: { db, generation } }, why);
    events.record({ type: 'geoip_reloaded', cause: `${why}: ${db.info.path} (${db.info.databaseType}, built ${new Date(db.info.buildEpochSeconds * 1000).toISOString()})`, detail: { path: db.info.path, generation, build_epoch_seconds: db.info.buildEpochSeconds } });
  };
  const watch = (loaded: LoadedConfig) => {
    const current = control.current().inputs.geo.db as MmdbGeoDatabase;
    watcher = watchGeoDatabase({
      path: resolveGeoDatabasePath(loaded.config.geoip.database),
      logger: log,
      current,
      checkIntervalMs: loaded.config.geoip.reload_check_interval,
      onLoaded: (db) => void accept(db, 'GeoIP database file replaced'),
      onRejected: (err) => events.record({ type: 'geoip_rejected', cause: `GeoIP database replacement refused; still serving generation ${control.current().inputs.geo.generation}: ${err.message}`, detail: { path: current.info.path } }),
    });
  };
  return {
    name: 'geoip',
    async start() {
      watch(opts.config());
    },
    async stop() {
      watcher?.close();
      watcher = undefined;
    },
    async reload(next, previous) {
      const { geoip } = next.config;
      if (geoip.database === previous.config.geoip.database && geoip.reload_check_interval === previous.config.geoip.reload_check_interval) return;
      watcher?.close();
      if (geoip.database !== previous.config.geoip.database) await accept(await openGeoDatabase(resolveGeoDatabasePath(geoip.database)), 'geoip.database changed by a reload');
      watch(next);
    },
  };
}
