// The steering model: what the config says, in the shape the decision engine wants.
// Plain immutable data; no I/O anywhere in steering/.

/** One address a region answers with. */
export interface Endpoint {
  /** Stable id for health state and metrics (the configured name, else the address). */
  readonly id: string;
  readonly address: string;
  readonly family: 4 | 6;
}

/** A region as configured: where its traffic goes and its configured weight. */
export interface RegionSpec {
  readonly name: string;
  readonly endpoints: readonly Endpoint[];
  /** When set, the region is answered with a CNAME to this target. */
  readonly cname: string | undefined;
  /** Weight from the config file (0..100); runtime overrides live in RegionStatus. */
  readonly weight: number;
  readonly drain: boolean;
}

/** A share of a group's traffic for one region, before the region's weight is applied. */
export interface GroupMember {
  readonly region: string;
  readonly share: number;
}

/** One step of a failover list: a single region, or a group balanced by weight. */
export type Tier =
  | { readonly kind: 'region'; readonly region: string }
  | { readonly kind: 'group'; readonly members: readonly GroupMember[] };

/** How a rule was matched for a client. */
export type MatchKind = 'country' | 'continent' | 'default';

/** An ordered failover list for a set of countries or continents (or the default). */
export interface Rule {
  /** Human label for traces and the admin API, e.g. "countries TW,HK,MO", "default". */
  readonly label: string;
  readonly tiers: readonly Tier[];
}

/** The steering policy of one name. */
export interface NamePolicy {
  readonly name: string;
  readonly ttl: number;
  readonly maxAnswers: number;
  readonly rules: readonly Rule[];
  /** Country code -> index into rules. */
  readonly byCountry: ReadonlyMap<string, number>;
  /** Continent code -> index into rules. */
  readonly byContinent: ReadonlyMap<string, number>;
  readonly defaultRule: Rule;
}

/** The live view of one region the decision needs: merged config, runtime overrides and health. */
export interface RegionStatus {
  readonly weight: number;
  readonly drained: boolean;
  /** Region-level health after min_up, hold-down and alerts. */
  readonly up: boolean;
  /**
   * Down, but healthy again and waiting out the failback hold-down. The hold-down keeps new
   * traffic off a region that may flap; a rule whose traffic is already on it (it answered
   * from it last time, e.g. while failing open) keeps it instead of moving to a later tier.
   */
  readonly recovering: boolean;
  /** Endpoint ids currently healthy; endpoints not listed are down. */
  readonly healthyEndpoints: ReadonlySet<string>;
}

/** Everything decide() reads about regions, keyed by region name. */
export type RegionStatusView = ReadonlyMap<string, RegionStatus>;

/** A source of randomness in [0, 1); a parameter so tests are deterministic. */
export type Random = () => number;

/** A region's addresses as a source (Kubernetes) reports them, replacing the config's: endpoints, or a CNAME target. */
export interface RegionEndpoints {
  readonly endpoints: readonly Endpoint[];
  readonly cname: string | undefined;
}
