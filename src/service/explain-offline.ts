import type { LoadedConfig } from '../config/load.js';
import { ControlPlane } from '../control/control-plane.js';
import { explainQuery, type Explanation } from '../control/explain.js';
import { resolveGeoDatabasePath } from '../geo/bundled-database.js';
import { openGeoDatabase } from '../geo/mmdb-geo-database.js';
import { GeosteerError } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { EMPTY_STATE } from '../state/state-store.js';
import type { ExplainType } from '../steering/explain.js';
import { ALL_UP } from '../steering/region-status.js';

/**
 * What a freshly started server would answer (`geosteer explain`): the config's weights and
 * drains, every region up, the configured GeoIP database. The same control plane and explain
 * as a running service, without binding or connecting anything.
 */
export async function explainFromConfig(loaded: LoadedConfig, name: string, client: string, type: ExplainType): Promise<Explanation> {
  const geo = await openGeoDatabase(resolveGeoDatabasePath(loaded.config.geoip.database)).catch((err: Error) => {
    throw new GeosteerError('GEOIP_UNAVAILABLE', `geoip.database: ${err.message}`, { cause: err });
  });
  const control = new ControlPlane({ config: loaded, overrides: EMPTY_STATE, health: ALL_UP, endpoints: new Map(), geo: { db: geo, generation: 1 } }, { log: silentLogger() });
  return explainQuery(control.current(), name, client, type, Math.random);
}
