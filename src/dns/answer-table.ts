import type { ServiceModel, ZoneModel } from '../config/model.js';
import type { AnyRecordData, RecordData, StaticRecord } from '../config/records.js';
import { typeCode } from '../config/rdata/type-codes.js';
import { isInZone } from '../config/records.js';
import { pickRotation, type NameAnswerPlan, type RegionAnswerPlan } from '../steering/answer-plan.js';
import type { Endpoint, Random } from '../steering/types.js';
import {
  EMPTY_SECTION,
  joinSections,
  namedRecords,
  negativeAnswers,
  prebuilt,
  qnameRecords,
  type PrebuiltAnswer,
  type RecordSection,
} from './prebuilt.js';
import { encodeName, encodeRecord, POINTER_TO_QNAME, RCODE, TYPE } from './wire.js';

// The wire form of a snapshot: every answer the hot path can give, encoded once when the
// control plane compiles a snapshot, swapped as a whole with it. Steered names carry the
// wire copy of their answer plan (steering/answer-plan.ts), index for index.

/** A served zone and its negative answers. */
export interface ZoneData {
  readonly name: string;
  readonly nodata: PrebuiltAnswer;
  readonly nxdomain: PrebuiltAnswer;
}

/** The answers of one region of a steered name: its plan's rotations, encoded (empty: NODATA). */
export interface RegionAnswers {
  readonly a: readonly PrebuiltAnswer[];
  readonly aaaa: readonly PrebuiltAnswer[];
  /** Set for CNAME regions: the answer to every query type. */
  readonly cname: PrebuiltAnswer | undefined;
}

/** A steered name: its answer plan and the wire answers of the plan's regions. */
export interface SteeredData {
  readonly plan: NameAnswerPlan;
  readonly regions: ReadonlyMap<string, RegionAnswers>;
}

/** Everything known about one owner name. */
export interface NameNode {
  readonly name: string;
  readonly zone: ZoneData;
  /** Static answers by query type. */
  readonly byType: ReadonlyMap<number, PrebuiltAnswer>;
  /** A static CNAME answers every type (with the in-zone target's records when they exist). */
  readonly cname: PrebuiltAnswer | undefined;
  /** The static CNAME's target name, for chasing it inside our zones. */
  readonly cnameTarget: string | undefined;
  /** Referral when the name is at or below a delegation point. */
  readonly referral: PrebuiltAnswer | undefined;
  readonly steered: SteeredData | undefined;
  /** RFC 8482 minimal answer for static names. */
  readonly any: PrebuiltAnswer | undefined;
}

/** Every name the server answers for, compiled; immutable. */
export interface AnswerTable {
  /** Keyed by the lower-case wire form of the name, as latin1 text. */
  readonly nodes: ReadonlyMap<string, NameNode>;
}

/** Lookup key of a name: its lower-case wire form as latin1 text (what the parser produces). */
export function nameKey(name: string): string {
  return encodeName(name).toString('latin1');
}

/** Query types answered from the steering decision. */
export function isSteeredType(qtype: number): boolean {
  return qtype === TYPE.A || qtype === TYPE.AAAA || qtype === TYPE.ANY || qtype === TYPE.CNAME;
}

// Preference order of the RRset returned for ANY (RFC 8482 4.1: one RRset is enough).
const ANY_PREFERENCE: RecordData['type'][] = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'CAA', 'NS'];

/** A and AAAA records by owner name, each with its place in the zone's records (glue keeps that order). */
type AddressIndex = ReadonlyMap<string, readonly { readonly at: number; readonly record: StaticRecord }[]>;

function addressIndex(records: readonly StaticRecord[]): AddressIndex {
  const index = new Map<string, { at: number; record: StaticRecord }[]>();
  records.forEach((record, at) => {
    if (record.data.type !== 'A' && record.data.type !== 'AAAA') return;
    const list = index.get(record.name);
    if (list) list.push({ at, record });
    else index.set(record.name, [{ at, record }]);
  });
  return index;
}

/** The addresses of `hosts` held in the zone, in the zone's record order. */
function glueFor(hosts: readonly string[], addresses: AddressIndex): RecordSection {
  const glue = [...new Set(hosts)].flatMap((h) => addresses.get(h) ?? []).sort((x, y) => x.at - y.at);
  return namedRecords(glue.map((g) => g.record));
}

function compileZone(zone: ZoneModel, nodes: Map<string, NameNode>): void {
  const zoneData: ZoneData = { name: zone.name, ...negativeAnswers(zone) };
  const byName = new Map<string, StaticRecord<AnyRecordData>[]>();
  for (const r of [...zone.records, ...zone.unknownTypeRecords]) {
    const list = byName.get(r.name);
    if (list) list.push(r);
    else byName.set(r.name, [r]);
  }
  const apexRecords = byName.get(zone.name) ?? [];
  const nsRecords: StaticRecord[] = zone.ns.map((host) => ({ name: zone.name, ttl: zone.nsTtl, data: { type: 'NS', host } }));
  byName.set(zone.name, [...apexRecords.filter((r) => r.data.type !== 'NS'), ...nsRecords]);
  const addresses = addressIndex(zone.records);

  // Delegation points: NS records below the apex, numbered in the order the records list them.
  const cuts = new Map<string, { readonly order: number; readonly answer: PrebuiltAnswer }>();
  for (const [name, records] of byName) {
    const ns = records.filter((r) => r.data.type === 'NS');
    if (name === zone.name || ns.length === 0) continue;
    const hosts = ns.map((r) => (r.data as { host: string }).host);
    cuts.set(name, { order: cuts.size, answer: prebuilt(RCODE.NOERROR, false, EMPTY_SECTION, namedRecords(ns), glueFor(hosts, addresses)) });
  }
  // The referral of the cut at or above `name` listed first: the name's ancestors are looked
  // up (a few per name) rather than every cut scanned (thousands per name in a large zone).
  const referralFor = (name: string): PrebuiltAnswer | undefined => {
    let found: { order: number; answer: PrebuiltAnswer } | undefined;
    if (cuts.size === 0) return undefined;
    for (let n = name; n !== zone.name && isInZone(n, zone.name); n = n.slice(n.indexOf('.') + 1)) {
      const cut = cuts.get(n);
      if (cut && (found === undefined || cut.order < found.order)) found = cut;
    }
    return found?.answer;
  };

  // Every owner name and every ancestor up to the apex exists (empty non-terminals: NODATA).
  const names = new Set<string>([zone.name]);
  for (const name of byName.keys()) {
    for (let n = name; n !== zone.name && isInZone(n, zone.name); n = n.slice(n.indexOf('.') + 1)) names.add(n);
  }

  for (const name of names) {
    const records = byName.get(name) ?? [];
    const byType = new Map<number, PrebuiltAnswer>();
    const types = new Set(records.map((r) => typeCode(r.data)));
    for (const code of types) {
      const set = records.filter((r) => typeCode(r.data) === code);
      const answer = qnameRecords(set[0].ttl, set.map((r) => r.data));
      const additional = code === TYPE.NS ? glueFor(set.map((r) => (r.data as { host: string }).host), addresses) : EMPTY_SECTION;
      byType.set(code, prebuilt(RCODE.NOERROR, true, answer, EMPTY_SECTION, additional));
    }
    if (name === zone.name) byType.set(TYPE.SOA, prebuilt(RCODE.NOERROR, true, { bytes: soaAnswer(zone), count: 1 }));
    const cnameRecord = records.find((r) => r.data.type === 'CNAME');
    const anyType = ANY_PREFERENCE.find((t) => types.has(TYPE[t]));
    nodes.set(nameKey(name), {
      name,
      zone: zoneData,
      byType,
      cname: cnameRecord ? prebuilt(RCODE.NOERROR, true, qnameRecords(cnameRecord.ttl, [cnameRecord.data])) : undefined,
      cnameTarget: cnameRecord?.data.type === 'CNAME' ? cnameRecord.data.target : undefined,
      referral: referralFor(name),
      steered: undefined,
      any: anyType ? byType.get(TYPE[anyType]) : name === zone.name ? byType.get(TYPE.SOA) : undefined,
    });
  }
}

function soaAnswer(zone: ZoneModel): Buffer {
  return encodeRecord(POINTER_TO_QNAME, zone.ttl, { type: 'SOA', ...zone.soa });
}

function addressAnswers(sets: readonly (readonly Endpoint[])[], family: 4 | 6, ttl: number): PrebuiltAnswer[] {
  const type = family === 4 ? ('A' as const) : ('AAAA' as const);
  return sets.map((set) => prebuilt(RCODE.NOERROR, true, qnameRecords(ttl, set.map((e) => ({ type, address: e.address })))));
}

function regionAnswers(region: RegionAnswerPlan, ttl: number): RegionAnswers {
  return {
    a: addressAnswers(region.v4, 4, ttl),
    aaaa: addressAnswers(region.v6, 6, ttl),
    cname: region.cname ? prebuilt(RCODE.NOERROR, true, qnameRecords(ttl, [{ type: 'CNAME', target: region.cname }])) : undefined,
  };
}

function compileSteered(plan: NameAnswerPlan): SteeredData {
  const regions = new Map<string, RegionAnswers>();
  for (const [name, region] of plan.regions) regions.set(name, regionAnswers(region, plan.policy.ttl));
  return { plan, regions };
}

/** Encodes every zone's static data and every steered name's plan (`plans` by name). Pure. */
export function compileAnswerTable(model: ServiceModel, plans: ReadonlyMap<string, NameAnswerPlan>): AnswerTable {
  const nodes = new Map<string, NameNode>();
  for (const zone of model.zones) compileZone(zone, nodes);
  // Chase in-zone static CNAMEs once, so the answer carries the target's records (RFC 1034 4.3.2).
  for (const [key, node] of nodes) {
    if (!node.cname || node.cnameTarget === undefined) continue;
    const target = nodes.get(nameKey(node.cnameTarget));
    if (!target || target.steered || target.cname) continue;
    const byType = new Map<number, PrebuiltAnswer>();
    for (const [type, answer] of target.byType) {
      if (type === TYPE.SOA || type === TYPE.NS) continue;
      const chased = { bytes: withOwner(answer.answer, target.name), count: answer.ancount };
      byType.set(type, prebuilt(RCODE.NOERROR, true, joinSections({ bytes: node.cname.answer, count: 1 }, chased)));
    }
    nodes.set(key, { ...node, byType });
  }
  for (const policy of model.policies) {
    const key = nameKey(policy.name);
    const zoneName = model.zones.filter((z) => isInZone(policy.name, z.name)).sort((a, b) => b.name.length - a.name.length)[0].name;
    const zoneNode = nodes.get(nameKey(zoneName))!;
    const existing = nodes.get(key);
    const steered = compileSteered(plans.get(policy.name)!);
    nodes.set(key, { ...(existing ?? emptyNode(policy.name, zoneNode.zone)), steered });
    // Ancestors of a steered name exist too (empty non-terminals).
    for (let n = policy.name; n !== zoneName; n = n.slice(n.indexOf('.') + 1)) {
      const k = nameKey(n);
      if (!nodes.has(k)) nodes.set(k, emptyNode(n, zoneNode.zone));
    }
  }
  return { nodes };
}

/** A name that exists but owns no data of its own (an empty non-terminal, or a steered name's base). */
function emptyNode(name: string, zone: ZoneData): NameNode {
  return { name, zone, byType: new Map(), cname: undefined, cnameTarget: undefined, referral: undefined, steered: undefined, any: undefined };
}

/** Rewrites records whose owner is the question pointer to an explicit owner name. */
function withOwner(records: Buffer, owner: string): Buffer {
  const name = encodeName(owner);
  const parts: Buffer[] = [];
  let o = 0;
  while (o < records.length) {
    // each record starts with the 2-byte pointer, then type, class, ttl (8), rdlength (2), rdata
    const rdlen = records.readUInt16BE(o + 10);
    const end = o + 12 + rdlen;
    parts.push(name, records.subarray(o + 2, end));
    o = end;
  }
  return Buffer.concat(parts);
}

/** The answer a steered name gives from `region`: its CNAME, or one rotation of the asked family (NODATA when it has none). */
export function steeredAnswer(steered: SteeredData, region: string | undefined, qtype: number, zone: ZoneData, rand: Random): PrebuiltAnswer {
  const answers = region === undefined ? undefined : steered.regions.get(region);
  if (answers === undefined) return zone.nodata;
  if (answers.cname) return answers.cname;
  const list = qtype === TYPE.AAAA ? answers.aaaa : qtype === TYPE.A || qtype === TYPE.ANY ? answers.a : undefined;
  if (list === undefined || list.length === 0) return zone.nodata;
  return list[pickRotation(list.length, rand)];
}
