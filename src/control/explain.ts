import { ClientLocator } from '../geo/client-locator.js';
import type { GeoDatabaseInfo } from '../geo/geo-lookup.js';
import { parseClientPrefix } from '../shared/client-prefix.js';
import { canonicalName } from '../config/names.js';
import { GeosteerError } from '../shared/errors.js';
import { explainAnswer, type ExplainTrace, type ExplainType } from '../steering/explain.js';
import type { TargetQuorumView } from '../steering/region-status.js';
import type { Random } from '../steering/types.js';
import type { Snapshot } from './snapshot.js';

/** An explain trace with what it was computed from: the snapshot and the GeoIP database. */
export type Explanation = ExplainTrace & {
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
  const plan = snapshot.plans.get(canonicalName(name) ?? '');
  if (!plan) throw new GeosteerError('NOT_FOUND', `${name} is not a steered name; steered names: ${[...snapshot.plans.keys()].join(', ') || '(none)'}`);
  const parsed = parseClientPrefix(client);
  if (typeof parsed === 'string') throw new GeosteerError('BAD_REQUEST', `client: ${parsed}`);
  const locator = new ClientLocator(snapshot.inputs.geo.db, { maxEntries: 2 });
  const location = parsed.family === 4 ? locator.locateV4(parsed.v4, parsed.prefix) : locator.locateV6(parsed.v6, 0, parsed.prefix);
  const trace = explainAnswer(
    plan,
    { query: `${parsed.text}/${parsed.prefix}`, country: location.country, continent: location.continent, networkPrefix: location.prefixLength, sourcePrefix: parsed.prefix },
    type,
    rand,
  );
  const { geo, health } = snapshot.inputs;
  const explanation = { ...trace, generation: snapshot.generation, geoip: { ...geo.db.info, generation: geo.generation } };
  if (!health.votes) return explanation;
  const regions = [...new Set(trace.tiers.flatMap((t) => t.regions.map((r) => r.region)))];
  return { ...explanation, healthQuorum: regions.flatMap((r) => health.votes!(r)) };
}
