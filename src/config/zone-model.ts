import { dirname } from 'node:path';
import { isInZone, presentName } from './names.js';
import { ownerName, parseRecordData, type StaticRecord } from './records.js';
import type { AnyRecordData, RecordData, SoaFields, UnknownData } from './rdata/record-data.js';
import { hostTargetProblem } from './rdata/host-types.js';
import { encodeRdata, presentRecord } from './rdata/rdata.js';
import { typeCode } from './rdata/type-codes.js';
import type { Config, ZoneConfig } from './schema.js';
import { loadZoneFile, type ReadText } from './zone-file/loader.js';

// A served zone from its YAML block and, when it has `file:`, its master file. Both feed
// one list of records that is checked as a whole: duplicates, RRset TTLs, CNAME alone at
// its name, DS only at delegations, steered SVCB hints only at steered names. The SOA and
// the apex NS come from exactly one of the two: giving them in both is refused, so nobody
// has to remember which one would win.

/** A served zone with its records parsed, made absolute and checked. */
export interface ZoneModel {
  readonly name: string;
  /** TTL of the SOA record (the YAML zone ttl, or the zone file's SOA TTL); the apex NS use it until nsTtl is wired. */
  readonly ttl: number;
  readonly soa: SoaFields;
  readonly ns: readonly string[];
  /** TTL of the apex NS set. */
  readonly nsTtl: number;
  /** Every static record but the SOA and the apex NS. */
  readonly records: readonly StaticRecord[];
  /** Records of types without a syntax here (RFC 3597), answered as opaque data by type code. */
  readonly unknownTypeRecords: readonly StaticRecord<UnknownData>[];
}

/** How zone files are found and read: relative to the config file's folder. */
export interface ZoneFileAccess {
  /** The config file's path as given ("config/geosteer.yaml"); its folder is where zone files live. */
  readonly configPath: string;
  readonly read?: ReadText;
}

interface Entry {
  readonly name: string;
  readonly ttl: number;
  readonly data: AnyRecordData;
  readonly source: string;
  /** From the YAML records (else from the zone file). */
  readonly yaml: boolean;
}

/** Builds every zone, collecting problems; `files` gets each zone file and $INCLUDE read. */
export function buildZones(config: Config, access: ZoneFileAccess, problems: string[], files: string[]): ZoneModel[] {
  const seen = new Set<string>();
  const steered = new Set(config.names.map((n) => n.name));
  const zones: ZoneModel[] = [];
  config.zones.forEach((zone, zi) => {
    const path = `zones[${zi}]`;
    if (seen.has(zone.name)) problems.push(`${path}.name: zone ${zone.name} is listed twice`);
    seen.add(zone.name);
    const entries: Entry[] = [];
    if (zone.file !== undefined) entries.push(...fileEntries(zone, access, problems, files));
    entries.push(...yamlEntries(zone, path, problems));
    for (const e of entries) {
      const problem = hostTargetProblem(e.data);
      if (problem) problems.push(`${e.source}: ${problem}`);
    }
    const built = splitApex(zone, path, entries, problems);
    if (!built) return;
    checkRecords(zone.name, built.rest, steered, problems);
    built.ns.hosts.forEach((ns, i) => {
      const hasGlue = built.rest.some((r) => r.name === ns && (r.data.type === 'A' || r.data.type === 'AAAA'));
      if (isInZone(ns, zone.name) && !hasGlue) {
        problems.push(`${built.ns.sources[i]}: name server ${ns} is inside the zone but has no A or AAAA record; add one (the glue)`);
      }
    });
    const records: StaticRecord[] = [];
    const unknownTypeRecords: StaticRecord<UnknownData>[] = [];
    for (const e of built.rest) {
      if (e.data.type === 'UNKNOWN') unknownTypeRecords.push({ name: e.name, ttl: e.ttl, data: e.data, source: e.source });
      else records.push({ name: e.name, ttl: e.ttl, data: e.data, source: e.source });
    }
    zones.push({ name: zone.name, ttl: built.soa.ttl, soa: built.soa.data, ns: built.ns.hosts, nsTtl: built.ns.ttl, records, unknownTypeRecords });
  });
  return zones;
}

function fileEntries(zone: ZoneConfig, access: ZoneFileAccess, problems: string[], files: string[]): Entry[] {
  const dir = dirname(access.configPath);
  const loaded = loadZoneFile({ zone: zone.name, file: zone.file!, baseDir: dir, displayDir: dir, read: access.read });
  problems.push(...loaded.problems);
  files.push(...loaded.files);
  return loaded.records.map((r) => ({ name: r.name, ttl: r.ttl, data: r.data, source: `${r.file}:${r.line}`, yaml: false }));
}

function yamlEntries(zone: ZoneConfig, path: string, problems: string[]): Entry[] {
  const out: Entry[] = [];
  zone.records.forEach((rec, ri) => {
    const rpath = `${path}.records[${ri}]`;
    const owner = ownerName(rec.name, zone.name);
    if ('problem' in owner) return void problems.push(`${rpath}.name: ${owner.problem}`);
    if (!isInZone(owner.name, zone.name)) {
      return void problems.push(`${rpath}.name: ${owner.name} is outside zone ${zone.name}; write names relative to the zone or end them with the zone name and a dot`);
    }
    const values = Array.isArray(rec.value) ? rec.value : [rec.value];
    values.forEach((value, vi) => {
      const source = Array.isArray(rec.value) ? `${rpath}.value[${vi}]` : `${rpath}.value`;
      const data = parseRecordData(rec.type, value, zone.name);
      if (typeof data === 'string') return void problems.push(`${source}: ${data}`);
      out.push({ name: owner.name, ttl: rec.ttl ?? zone.ttl, data, source: rpath, yaml: true });
    });
  });
  return out;
}

interface Apex {
  readonly soa: { readonly data: SoaFields; readonly ttl: number };
  readonly ns: { readonly hosts: string[]; readonly ttl: number; readonly sources: string[] };
  readonly rest: Entry[];
}

/** Takes the SOA and the apex NS out of the entries and checks they come from one place. */
function splitApex(zone: ZoneConfig, path: string, entries: Entry[], problems: string[]): Apex | undefined {
  const rest: Entry[] = [];
  const soas: Entry[] = [];
  const apexNs: Entry[] = [];
  for (const e of entries) {
    if (e.data.type === 'SOA') {
      if (e.name !== zone.name) problems.push(`${e.source}: an SOA belongs at the zone apex ${zone.name}, not at ${e.name}`);
      else if (e.yaml) problems.push(`${e.source}: give the SOA as ${path}.soa, not as a record`);
      else soas.push(e);
    } else if (e.data.type === 'NS' && e.name === zone.name) {
      if (e.yaml) problems.push(`${e.source}: NS records of the zone apex go in ${path}.ns`);
      else apexNs.push(e);
    } else {
      rest.push(e);
    }
  }
  if (soas.length > 1) problems.push(`${soas[1].source}: a second SOA; the zone's SOA is at ${soas[0].source}`);
  if (zone.soa && soas.length > 0) problems.push(`${path}.soa: the zone file also has an SOA (${soas[0].source}); give the SOA in one place, the file or the YAML`);
  if (zone.ns && apexNs.length > 0) problems.push(`${path}.ns: the zone file also has apex NS records (${apexNs[0].source}); give them in one place, the file or the YAML`);
  const fileSoa = soas[0]?.data.type === 'SOA' ? soas[0] : undefined;
  if (!zone.soa && !fileSoa) problems.push(`${path}.soa: required: give soa: {mname, rname} here${zone.file ? ` or an SOA record at the apex of ${zone.file}` : ''}`);
  if (!zone.ns && apexNs.length === 0) problems.push(`${path}.ns: required: list the zone's name servers here${zone.file ? ` or as NS records at the apex of ${zone.file}` : ''}`);
  const soaData = zone.soa ?? (fileSoa?.data as SoaFields | undefined);
  if (!soaData || (!zone.ns && apexNs.length === 0)) return undefined;
  const soa = { data: pickSoa(soaData), ttl: zone.soa ? zone.ttl : fileSoa!.ttl };
  if (zone.ns) return { soa, ns: { hosts: [...zone.ns], ttl: zone.ttl, sources: zone.ns.map((_, i) => `${path}.ns[${i}]`) }, rest };
  checkRrset(apexNs, problems);
  return {
    soa,
    ns: { hosts: apexNs.map((e) => (e.data as { host: string }).host), ttl: apexNs[0].ttl, sources: apexNs.map((e) => e.source) },
    rest,
  };
}

function pickSoa(s: SoaFields): SoaFields {
  return { mname: s.mname, rname: s.rname, serial: s.serial, refresh: s.refresh, retry: s.retry, expire: s.expire, minimum: s.minimum };
}

/** Duplicates and TTLs inside one RRset (RFC 2181 5, 5.2). */
function checkRrset(set: readonly Entry[], problems: string[]): void {
  const seen = new Map<string, Entry>();
  for (const e of set) {
    const key = encodeRdata(e.data).toString('latin1');
    const first = seen.get(key);
    if (first) problems.push(`${e.source}: duplicate of ${first.source} (${presentName(e.name)} ${presentRecord(e.data)}); an RRset holds each record once (RFC 2181 5)`);
    else seen.set(key, e);
    if (e.ttl !== set[0].ttl) problems.push(`${e.source}: TTL ${e.ttl} differs from ${set[0].ttl} at ${set[0].source}; the records of one RRset share a TTL (RFC 2181 5.2)`);
  }
}

function checkRecords(zone: string, entries: readonly Entry[], steered: ReadonlySet<string>, problems: string[]): void {
  const byName = new Map<string, Map<number, Entry[]>>();
  for (const e of entries) {
    const types = byName.get(e.name) ?? new Map<number, Entry[]>();
    byName.set(e.name, types);
    const code = typeCode(e.data);
    const set = types.get(code) ?? [];
    types.set(code, set);
    set.push(e);
  }
  for (const [name, types] of byName) {
    for (const set of types.values()) checkRrset(set, problems);
    const cnames = types.get(5);
    if (cnames) {
      if (name === zone) problems.push(`${cnames[0].source}: a CNAME cannot be at the zone apex ${zone}, which has the SOA and NS`);
      if (cnames.length > 1) problems.push(`${cnames[1].source}: a second CNAME at ${name}; a name has at most one (RFC 1034 3.6.2)`);
      const others = [...types.entries()].filter(([code]) => code !== 5).flatMap(([, set]) => set);
      for (const other of others) problems.push(cnameClash(name, cnames[0], other, entries.indexOf(other) > entries.indexOf(cnames[0])));
    }
    const ds = types.get(43);
    if (ds && name === zone) problems.push(`${ds[0].source}: a DS at the zone apex belongs in the parent zone (RFC 4035 2.4)`);
    else if (ds && !types.has(2)) problems.push(`${ds[0].source}: a DS needs NS records at ${name}: it marks a secure delegation (RFC 4035 2.4)`);
    for (const e of [...(types.get(64) ?? []), ...(types.get(65) ?? [])]) {
      const data = e.data as Extract<RecordData, { type: 'SVCB' | 'HTTPS' }>;
      const hint = data.params.find((p) => (p.name === 'ipv4hint' || p.name === 'ipv6hint') && p.addresses === 'steered');
      if (hint && !steered.has(name)) problems.push(`${e.source}: ${hint.name}=steered needs a steered name (names[]); ${name} is not steered`);
    }
  }
}

/** The clash is reported on whichever record comes later, so it reads in file order. */
function cnameClash(name: string, cname: Entry, other: Entry, otherIsLater: boolean): string {
  const type = presentRecord(other.data).split(' ')[0];
  return otherIsLater
    ? `${other.source}: ${name} already has a CNAME (${cname.source}); a CNAME must be the only record at its name (RFC 1034 3.6.2)`
    : `${cname.source}: a CNAME must be the only record at its name, and ${name} also has ${type} (${other.source}) (RFC 1034 3.6.2)`;
}
