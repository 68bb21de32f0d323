import { isIPv4 } from 'node:net';
import { isContinentCode, isCountryCode } from '../geo/country-continent.js';
import { tierRegions } from '../steering/tier-regions.js';
import type { NamePolicy, RegionSpec, Rule, Tier } from '../steering/types.js';
import { resolveHealthPlan } from './health-checks.js';
import { isInZone, parentName } from './names.js';
import type { Config, TierConfig } from './schema.js';
import { checkSourcesAndSync } from './sync-checks.js';
import { buildZones, type ZoneFileAccess, type ZoneModel } from './zone-model.js';

export type { ZoneModel } from './zone-model.js';

/** The config after cross-checks: what the snapshot builder compiles. */
export interface ServiceModel {
  readonly zones: readonly ZoneModel[];
  readonly regions: ReadonlyMap<string, RegionSpec>;
  readonly policies: readonly NamePolicy[];
}

/**
 * Checks everything the schema cannot see alone (regions named in policies, names inside
 * zones, duplicates, record data, zone files) and builds the model. Every problem is
 * collected, each as `path: what is wrong` (`file:line: what is wrong` for zone files); the
 * model is only usable when the list is empty. `files` lists every zone file and $INCLUDE read.
 */
export function buildModel(config: Config, access: ZoneFileAccess = { configPath: 'config.yaml' }): { model: ServiceModel; problems: string[]; files: string[] } {
  const problems: string[] = [];
  const files: string[] = [];
  const zones = buildZones(config, access, problems, files);
  const regions = buildRegions(config, problems);
  const policies = buildPolicies(config, zones, regions, problems);
  problems.push(...resolveHealthPlan(config).problems);
  checkSourcesAndSync(config, regions, policies, problems);
  return { model: { zones, regions, policies }, problems, files };
}

function zoneOf(name: string, zones: readonly { name: string }[]): string | undefined {
  let best: string | undefined;
  for (const z of zones) if (isInZone(name, z.name) && (best === undefined || z.name.length > best.length)) best = z.name;
  return best;
}

function buildRegions(config: Config, problems: string[]): Map<string, RegionSpec> {
  const regions = new Map<string, RegionSpec>();
  for (const [name, region] of Object.entries(config.regions)) {
    const path = `regions.${name}`;
    // A region fed by a Kubernetes source may start empty: its addresses arrive at run time.
    const sourced = config.sources?.kubernetes?.regions[name] !== undefined;
    if (region.endpoints.length === 0 && region.cname === undefined && !sourced) problems.push(`${path}: a region needs endpoints or a cname`);
    if (region.endpoints.length > 0 && region.cname !== undefined) problems.push(`${path}: a region has either endpoints or a cname, not both`);
    const ids = new Set<string>();
    const addresses = new Set<string>();
    const endpoints = region.endpoints.map((e, i) => {
      const id = e.name ?? e.address;
      if (ids.has(id)) problems.push(`${path}.endpoints[${i}]: duplicate endpoint ${id}`);
      else if (addresses.has(e.address)) problems.push(`${path}.endpoints[${i}].address: duplicate endpoint address ${e.address}`);
      ids.add(id);
      addresses.add(e.address);
      return { id, address: e.address, family: isIPv4(e.address) ? (4 as const) : (6 as const) };
    });
    regions.set(name, { name, endpoints, cname: region.cname, weight: region.weight, drain: region.drain });
  }
  return regions;
}

function buildTier(tier: TierConfig, path: string, regions: ReadonlyMap<string, RegionSpec>, problems: string[]): Tier {
  const known = (region: string, p: string) => {
    if (!regions.has(region)) problems.push(`${p}: unknown region ${JSON.stringify(region)}; known regions: ${[...regions.keys()].join(', ')}`);
  };
  if (typeof tier === 'string') {
    known(tier, path);
    return { kind: 'region', region: tier };
  }
  const entries = Array.isArray(tier.group) ? tier.group.map((r) => [r, 1] as const) : Object.entries(tier.group);
  const members = entries.map(([region, share]) => {
    known(region, `${path}.group.${region}`);
    return { region, share };
  });
  if (new Set(members.map((m) => m.region)).size !== members.length) problems.push(`${path}.group: a region is listed twice`);
  return { kind: 'group', members };
}

function buildTiers(tiers: readonly TierConfig[], path: string, regions: ReadonlyMap<string, RegionSpec>, problems: string[]): Tier[] {
  const built = tiers.map((t, i) => buildTier(t, `${path}[${i}]`, regions, problems));
  const seen = new Set<string>();
  built.forEach((t, i) => {
    const names = tierRegions(t);
    for (const n of names) {
      if (seen.has(n)) problems.push(`${path}[${i}]: region ${n} already appears in an earlier tier`);
      seen.add(n);
    }
  });
  return built;
}

/** The first static A, AAAA or CNAME record type at each owner name, over every zone: one pass, not one per steered name. */
function addressOwners(zones: readonly ZoneModel[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const z of zones) {
    for (const r of z.records) {
      if ((r.data.type === 'A' || r.data.type === 'AAAA' || r.data.type === 'CNAME') && !owners.has(r.name)) owners.set(r.name, r.data.type);
    }
  }
  return owners;
}

/** The delegation points of each zone: owners of NS records below its apex. */
function delegations(zones: readonly ZoneModel[]): Map<string, Set<string>> {
  return new Map(zones.map((z) => [z.name, new Set(z.records.filter((r) => r.data.type === 'NS').map((r) => r.name))]));
}

/** The delegation point at or above `name` inside `zone`, if any. */
function cutAbove(name: string, zone: string, cuts: ReadonlySet<string>): string | undefined {
  for (let n = name; n !== zone && isInZone(n, zone); n = parentName(n)) if (cuts.has(n)) return n;
  return undefined;
}

function buildPolicies(config: Config, zones: readonly ZoneModel[], regions: ReadonlyMap<string, RegionSpec>, problems: string[]): NamePolicy[] {
  const seen = new Set<string>();
  const staticAddress = addressOwners(zones);
  const cuts = delegations(zones);
  return config.names.map((n, ni) => {
    const path = `names[${ni}]`;
    const zone = zoneOf(n.name, zones);
    if (zone === undefined) problems.push(`${path}.name: ${n.name} is outside every zone (${zones.map((z) => z.name).join(', ')}); add its zone under zones`);
    const cut = zone === undefined ? undefined : cutAbove(n.name, zone, cuts.get(zone)!);
    if (cut) problems.push(`${path}.name: ${n.name} is at or below ${cut}, which is delegated (NS records below the zone apex); the child zone's servers answer for it`);
    if (seen.has(n.name)) problems.push(`${path}.name: ${n.name} is steered twice`);
    seen.add(n.name);
    const clash = staticAddress.get(n.name);
    if (clash) problems.push(`${path}.name: ${n.name} also has a static ${clash} record; a steered name owns its A, AAAA and CNAME answers`);
    const rules: Rule[] = [];
    const byCountry = new Map<string, number>();
    const byContinent = new Map<string, number>();
    n.rules.forEach((rule, ri) => {
      const rpath = `${path}.rules[${ri}]`;
      if (!rule.countries && !rule.continents) problems.push(`${rpath}: a rule needs countries or continents (use default for everything else)`);
      for (const [ci, raw] of (rule.countries ?? []).entries()) {
        const cc = raw.toUpperCase();
        if (!isCountryCode(cc)) problems.push(`${rpath}.countries[${ci}]: unknown country code ${JSON.stringify(raw)}; expected ISO 3166-1 alpha-2 like TW or JP`);
        else if (byCountry.has(cc)) problems.push(`${rpath}.countries[${ci}]: country ${cc} is already in rules[${byCountry.get(cc)}]`);
        else byCountry.set(cc, ri);
      }
      for (const [ci, raw] of (rule.continents ?? []).entries()) {
        const code = raw.toUpperCase();
        if (!isContinentCode(code)) problems.push(`${rpath}.continents[${ci}]: unknown continent code ${JSON.stringify(raw)}; expected one of AF AN AS EU NA OC SA`);
        else if (byContinent.has(code)) problems.push(`${rpath}.continents[${ci}]: continent ${code} is already in rules[${byContinent.get(code)}]`);
        else byContinent.set(code, ri);
      }
      const label = [rule.countries && `countries ${rule.countries.map((c) => c.toUpperCase()).join(',')}`, rule.continents && `continents ${rule.continents.map((c) => c.toUpperCase()).join(',')}`]
        .filter(Boolean)
        .join(' + ');
      rules.push({ label, tiers: buildTiers(rule.tiers, `${rpath}.tiers`, regions, problems) });
    });
    const defaultRule: Rule = { label: 'default', tiers: buildTiers(n.default, `${path}.default`, regions, problems) };
    const usesCname = [...rules, defaultRule].some((r) =>
      r.tiers.some((t) => tierRegions(t).some((reg) => regions.get(reg)?.cname !== undefined)),
    );
    if (usesCname && zones.some((z) => z.name === n.name)) problems.push(`${path}.name: ${n.name} is a zone apex, which cannot be answered with a CNAME region`);
    return { name: n.name, ttl: n.ttl, maxAnswers: n.max_answers, rules, byCountry, byContinent, defaultRule };
  });
}
