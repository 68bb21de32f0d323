import type { LoadedConfig } from '../config/load.js';
import type { GeoLookup } from '../geo/geo-lookup.js';
import type { HealthView, RegionOverrides } from '../steering/region-status.js';
import type { RegionEndpoints } from '../steering/types.js';

/** A GeoIP database with the generation number the control plane gave it when it was accepted. */
export interface GeoInput {
  readonly db: GeoLookup;
  /** 1 for the database opened at start; +1 for every accepted replacement. */
  readonly generation: number;
}

/**
 * Everything a snapshot is built from; immutable. Each input has one writer: the config
 * (start, reload), the runtime overrides (the state store), the health view (health checks
 * or the quorum of instances), the source-reported endpoints (Kubernetes), the GeoIP database.
 */
export interface ControlInputs {
  readonly config: LoadedConfig;
  /** Weight and drain overrides of the config, from the state store. */
  readonly overrides: RegionOverrides;
  readonly health: HealthView;
  /** Region endpoints reported by sources, replacing the config's; regions not listed keep theirs. */
  readonly endpoints: ReadonlyMap<string, RegionEndpoints>;
  readonly geo: GeoInput;
}

/** Some inputs replaced; what one update carries. */
export type InputPatch = Partial<ControlInputs>;
