import { ClientLocator } from '../geo/client-locator.js';
import { unknownLocation } from '../geo/geo-location.js';
import { isIPv4Mapped } from '../shared/ip-address.js';
import { isNonGlobalV4, isNonGlobalV6 } from '../shared/special-addresses.js';
import type { GeoDatabaseInfo } from '../geo/geo-lookup.js';
import { parseClientPrefix } from '../shared/client-prefix.js';
import { canonicalName } from '../config/names.js';
import { steeringFor } from '../dns/answer-table.js';
import { GeosteerError } from '../shared/errors.js';
import { explainAnswer, type ExplainTrace, type ExplainType } from '../steering/explain.js';
import type { TargetQuorumView } from '../steering/region-status.js';
import type { Random } from '../steering/types.js';
import type { Snapshot } from './snapshot.js';

/** An explain trace with what it was computed from: the snapshot and the GeoIP database. */
export type Explanation = ExplainTrace & {
  /** How the name asked reaches the steered name explained (a wildcard, a CNAME chain); absent for the steered name itself. */
  readonly via?: string;
  readonly generation: number;
  readonly geoip: GeoDatabaseInfo & { readonly generation: number };
  /** With shared health: each instance's view of the regions tried. */
  readonly healthQuorum?: readonly TargetQuorumView[];
};

/**
 * Explains the answer a `type` query for `name` from `client` ("IP" or "IP/PREFIX") gets
 * from `snapshot`: the same plan and the same database as DNS. Locating goes through a
 * locator of its own, so explain calls do not count as DNS geo lookups.
 */
export function explainQuery(snapshot: Snapshot, name: string, client: string, type: ExplainType, rand: Random): Explanation {
  const canonical = canonicalName(name);
  // the name itself, a wildcard that stands for it, or the end of its CNAME chain: what DNS steers it by
  const steering = canonical === undefined ? undefined : steeringFor(snapshot.serving.table, canonical);
  if (!steering) throw new GeosteerError('NOT_FOUND', `${name} is not steered (not a steered name, a name a steered wildcard stands for, or a CNAME chain to one); steered names: ${[...snapshot.plans.keys()].join(', ') || '(none)'}`);
  const plan = steering.steered.plan;
  const parsed = parseClientPrefix(client);
  if (typeof parsed === 'string') throw new GeosteerError('BAD_REQUEST', `client: ${parsed}`);
  const locator = new ClientLocator(snapshot.inputs.geo.db, { maxEntries: 2 });
  // the same classification as the DNS path (query-handler.ts locate)
  const mapped = parsed.family === 6 && parsed.prefix >= 96 && isIPv4Mapped(parsed.v6, 0);
  const nonGlobal = parsed.family === 4 ? isNonGlobalV4(parsed.v4, parsed.prefix) : isNonGlobalV6(parsed.v6, 0, parsed.prefix);
  const ecsUsed = !(nonGlobal && snapshot.serving.ecsPrivateToSource);
  const location = !ecsUsed ? unknownLocation(0) : parsed.family === 4 ? locator.locateV4(parsed.v4, parsed.prefix) : locator.locateV6(parsed.v6, 0, parsed.prefix);
  const span = snapshot.serving.ecsScopeBeyondSource ? () => (parsed.family === 4 ? locator.spanV4(parsed.v4, parsed.prefix) : locator.spanV6(parsed.v6, 0, parsed.prefix)) : undefined;
  const trace = explainAnswer(
    plan,
    { query: `${parsed.text}/${parsed.prefix}`, country: location.country, continent: location.continent, networkPrefix: location.prefixLength, sourcePrefix: parsed.prefix, ecsUsed, family: parsed.family === 4 ? 1 : 2, familyOffset: mapped ? 96 : 0 },
    type,
    rand,
    span,
  );
  const { geo, health } = snapshot.inputs;
  const explanation = { ...trace, ...(steering.via !== undefined ? { via: steering.via } : {}), generation: snapshot.generation, geoip: { ...geo.db.info, generation: geo.generation } };
  if (!health.votes) return explanation;
  const regions = [...new Set(trace.tiers.flatMap((t) => t.regions.map((r) => r.region)))];
  return { ...explanation, healthQuorum: regions.flatMap((r) => health.votes!(r)) };
}
