import { policyRegions } from '../steering/tier-regions.js';
import type { NamePolicy, RegionSpec } from '../steering/types.js';
import { isInZone } from './names.js';
import type { Config } from './schema.js';

// Cross-checks of the `sources` and `sync` sections against the rest of the config (each
// problem `path: what is wrong`, collected with buildModel's).

/** Zones of the config strictly below the Cloudflare zone: the ones delegation_ns delegates. */
export function delegatedZones(config: Config): string[] {
  const cf = config.sync?.cloudflare;
  if (!cf?.delegation_ns || !cf.zone_name) return [];
  return config.zones.map((z) => z.name).filter((z) => z !== cf.zone_name && isInZone(z, cf.zone_name!));
}

/** Problems of `sources` and `sync.cloudflare`. */
export function checkSourcesAndSync(config: Config, regions: ReadonlyMap<string, RegionSpec>, policies: readonly NamePolicy[], problems: string[]): void {
  for (const region of Object.keys(config.sources?.kubernetes?.regions ?? {})) {
    if (!regions.has(region)) problems.push(`sources.kubernetes.regions.${region}: unknown region ${JSON.stringify(region)}; known regions: ${[...regions.keys()].join(', ')}`);
  }
  const cf = config.sync?.cloudflare;
  if (!cf) return;
  const path = 'sync.cloudflare';
  const { budget } = cf;
  // Cloudflare blocks the whole account for the rest of its 5-minute window past 1200 requests.
  if ((budget.requests * 300_000) / budget.window > 1200) {
    problems.push(`${path}.budget: ${budget.requests} requests per ${budget.window / 1000} s is more than Cloudflare's account limit of 1200 per 5 minutes; stay well inside it (default 600 per 5m)`);
  }
  if (budget.burst > budget.requests) problems.push(`${path}.budget.burst: ${budget.burst} is more than budget.requests (${budget.requests})`);
  if (cf.retry_delay > cf.max_backoff) problems.push(`${path}.retry_delay: longer than max_backoff (${cf.max_backoff / 1000} s)`);
  if (cf.lease_ttl < 3000) problems.push(`${path}.lease_ttl: at least 3s, so that renewals (every third of it) survive a slow Redis answer`);
  if (`geosteer owner=${cf.owner_id}`.length > 100) problems.push(`${path}.owner_id: too long for a record comment (100 characters on the Free plan)`);
  const delegated = delegatedZones(config);
  if (cf.delegation_ns && !cf.zone_name) problems.push(`${path}.delegation_ns: needs zone_name (the Cloudflare zone the delegation is written into)`);
  else if (cf.delegation_ns && delegated.length === 0) {
    problems.push(`${path}.delegation_ns: no zone under zones lies below ${cf.zone_name}; only a zone strictly below the Cloudflare zone can be delegated`);
  }
  const seen = new Set<string>();
  // first policy of each name (a name steered twice is reported by buildPolicies)
  const byName = new Map<string, NamePolicy>();
  for (const p of policies) if (!byName.has(p.name)) byName.set(p.name, p);
  cf.names.forEach((n, i) => {
    const npath = `${path}.names[${i}]`;
    const policy = byName.get(n.name);
    if (!policy) {
      problems.push(`${npath}.name: ${n.name} is not a steered name; steered names: ${policies.map((p) => p.name).join(', ') || '(none)'}`);
      return;
    }
    if (seen.has(n.name)) problems.push(`${npath}.name: ${n.name} is listed twice`);
    seen.add(n.name);
    if (n.ttl !== 1 && (n.ttl < 60 || n.ttl > 86400)) problems.push(`${npath}.ttl: expected 1 (automatic) or 60..86400, got ${n.ttl}`);
    if (n.proxied && n.ttl !== 1) problems.push(`${npath}.ttl: proxied records always have TTL 1 (automatic) at Cloudflare; set ttl: 1`);
    if (!n.per_region && !n.failover_record) problems.push(`${npath}: nothing to publish; set per_region or failover_record`);
    if (cf.zone_name && !isInZone(n.name, cf.zone_name)) problems.push(`${npath}.name: ${n.name} is outside the Cloudflare zone ${cf.zone_name}`);
    const under = delegated.find((z) => isInZone(n.name, z));
    if (under) problems.push(`${npath}.name: ${n.name} is inside ${under}, which delegation_ns delegates to geosteer; records there would be hidden by the delegation`);
    if (n.per_region) {
      for (const region of policyRegions(policy)) {
        const label = `${region}.${n.name}`;
        if (region.length > 63 || label.length > 253) problems.push(`${npath}.per_region: ${label} is not a valid DNS name (region names become labels)`);
      }
    }
  });
}
