import type { ServiceModel } from '../config/model.js';
import type { CloudflareSyncConfig } from '../config/schema.js';
import { policyRegions } from '../steering/tier-regions.js';
import { answerEndpoints, resolveRule } from '../steering/decide.js';
import type { Endpoint, RegionSpec, RegionStatusView } from '../steering/types.js';
import type { DnsRecord } from './dns-record.js';

// What Cloudflare should hold, computed from the model and the live region status (pure).
// Per synced name:
//   <region>.<name>  A/AAAA -> the region's healthy addresses (all of them when none is
//                    healthy, as the DNS answers do), or CNAME -> the region's cname;
//   <name>           the first usable tier of the default rule (failover_record), for
//                    clients that never reach geosteer; a group tier publishes the union.
// With delegation_ns: NS records of each geosteer zone below zone_name, plus glue.

/** What desiredRecords reads from the sync config. */
export type DesiredRecordsConfig = Pick<CloudflareSyncConfig, 'names' | 'delegation_ns'>;

function addressRecords(name: string, endpoints: readonly Endpoint[], ttl: number, proxied: boolean): DnsRecord[] {
  const seen = new Set<string>();
  const out: DnsRecord[] = [];
  for (const e of endpoints) {
    if (seen.has(e.address)) continue;
    seen.add(e.address);
    out.push({ name, type: e.family === 4 ? 'A' : 'AAAA', content: e.address, ttl, proxied });
  }
  return out;
}

function regionEndpoints(spec: RegionSpec, status: RegionStatusView): Endpoint[] {
  const s = status.get(spec.name);
  return [...answerEndpoints(spec, s, 4), ...answerEndpoints(spec, s, 6)];
}

/** The records geosteer wants at the provider for the current model and region status. */
export function desiredRecords(model: ServiceModel, status: RegionStatusView, cfg: DesiredRecordsConfig, delegated: readonly string[] = []): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const n of cfg.names) {
    const policy = model.policies.find((p) => p.name === n.name);
    if (!policy) continue;
    if (n.per_region) {
      for (const region of policyRegions(policy)) {
        const spec = model.regions.get(region);
        if (!spec) continue;
        const name = `${region}.${n.name}`;
        if (spec.cname !== undefined) out.push({ name, type: 'CNAME', content: spec.cname, ttl: n.ttl, proxied: n.proxied });
        else out.push(...addressRecords(name, regionEndpoints(spec, status), n.ttl, n.proxied));
      }
    }
    if (n.failover_record) {
      const specs = resolveRule(policy.defaultRule, status)
        .candidates.map((c) => model.regions.get(c.region))
        .filter((s): s is RegionSpec => s !== undefined);
      // A CNAME cannot be mixed with addresses: a CNAME first choice wins alone.
      if (specs[0]?.cname !== undefined) out.push({ name: n.name, type: 'CNAME', content: specs[0].cname, ttl: n.ttl, proxied: n.proxied });
      else out.push(...addressRecords(n.name, specs.flatMap((s) => (s.cname === undefined ? regionEndpoints(s, status) : [])), n.ttl, n.proxied));
    }
  }
  if (cfg.delegation_ns) {
    for (const zone of model.zones.filter((z) => delegated.includes(z.name))) {
      const ttl = Math.min(Math.max(zone.ttl, 60), 86400);
      for (const ns of zone.ns) out.push({ name: zone.name, type: 'NS', content: ns, ttl, proxied: false });
      for (const r of zone.records) {
        if (!zone.ns.includes(r.name)) continue;
        if (r.data.type === 'A' || r.data.type === 'AAAA') out.push({ name: r.name, type: r.data.type, content: r.data.address, ttl, proxied: false });
      }
    }
  }
  return out;
}

/**
 * Record names whose content is unknown right now: `<region>.<name>` of regions without any
 * address yet (a Kubernetes-fed region before its first list). The run hides their current
 * records from the planner, so a restart never deletes what it has not learnt yet.
 */
export function unknownRecordNames(model: ServiceModel, cfg: DesiredRecordsConfig): string[] {
  const out: string[] = [];
  for (const n of cfg.names) {
    const policy = model.policies.find((p) => p.name === n.name);
    if (!policy || !n.per_region) continue;
    for (const region of policyRegions(policy)) {
      const spec = model.regions.get(region);
      if (spec && spec.endpoints.length === 0 && spec.cname === undefined) out.push(`${region}.${n.name}`);
    }
  }
  return out;
}
