import type { ServiceModel, ZoneModel } from '../config/model.js';
import type { RecordData, StaticRecord } from '../config/records.js';
import { isInZone } from '../config/records.js';
import { answerEndpoints, pickCandidate, resolveRule, ruleIndexFor, type RuleOutcome } from '../steering/decide.js';
import type { NamePolicy, Random, RegionSpec, RegionStatusView } from '../steering/types.js';
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

// The immutable structure every query reads: built from config + runtime state by
// compileSnapshot() on the control plane and swapped as a whole when anything changes.

/** A served zone and its negative answers. */
export interface ZoneData {
  readonly name: string;
  readonly nodata: PrebuiltAnswer;
  readonly nxdomain: PrebuiltAnswer;
}

/** The answers of one region of a steered name. */
export interface RegionAnswers {
  /** A answers; more than one when the region has more endpoints than max_answers (rotations). */
  readonly a: readonly PrebuiltAnswer[];
  readonly aaaa: readonly PrebuiltAnswer[];
  /** Set for CNAME regions: the answer to every query type. */
  readonly cname: PrebuiltAnswer | undefined;
}

/** A steered name with its rules already resolved against the current region status. */
export interface SteeredData {
  readonly policy: NamePolicy;
  /** Parallel to policy.rules. */
  readonly outcomes: readonly RuleOutcome[];
  readonly defaultOutcome: RuleOutcome;
  readonly regions: ReadonlyMap<string, RegionAnswers>;
  /** A CNAME region answers every query type, not only A and AAAA. */
  readonly hasCnameRegion: boolean;
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

/** The compiled, immutable view of the whole service. */
export interface Snapshot {
  /** Keyed by the lower-case wire form of the name, as latin1 text. */
  readonly nodes: ReadonlyMap<string, NameNode>;
  readonly model: ServiceModel;
  readonly status: RegionStatusView;
  /** Increments with every compile; for logs and the admin API. */
  readonly generation: number;
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

function glueFor(hosts: readonly string[], records: readonly StaticRecord[]): RecordSection {
  const glue = records.filter((r) => hosts.includes(r.name) && (r.data.type === 'A' || r.data.type === 'AAAA'));
  return namedRecords(glue);
}

function compileZone(zone: ZoneModel, nodes: Map<string, NameNode>): void {
  const zoneData: ZoneData = { name: zone.name, ...negativeAnswers(zone) };
  const byName = new Map<string, StaticRecord[]>();
  for (const r of zone.records) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const apexRecords = byName.get(zone.name) ?? [];
  const nsRecords: StaticRecord[] = zone.ns.map((host) => ({ name: zone.name, ttl: zone.ttl, data: { type: 'NS', host } }));
  byName.set(zone.name, [...apexRecords.filter((r) => r.data.type !== 'NS'), ...nsRecords]);

  // Delegation points: NS records below the apex.
  const cuts = new Map<string, PrebuiltAnswer>();
  for (const [name, records] of byName) {
    const ns = records.filter((r) => r.data.type === 'NS');
    if (name === zone.name || ns.length === 0) continue;
    const hosts = ns.map((r) => (r.data as { host: string }).host);
    cuts.set(name, prebuilt(RCODE.NOERROR, false, EMPTY_SECTION, namedRecords(ns), glueFor(hosts, zone.records)));
  }
  const referralFor = (name: string): PrebuiltAnswer | undefined => {
    for (const [cut, answer] of cuts) if (isInZone(name, cut)) return answer;
    return undefined;
  };

  // Every owner name and every ancestor up to the apex exists (empty non-terminals: NODATA).
  const names = new Set<string>([zone.name]);
  for (const name of byName.keys()) {
    for (let n = name; n !== zone.name && isInZone(n, zone.name); n = n.slice(n.indexOf('.') + 1)) names.add(n);
  }

  for (const name of names) {
    const records = byName.get(name) ?? [];
    const byType = new Map<number, PrebuiltAnswer>();
    const types = new Set(records.map((r) => r.data.type));
    for (const type of types) {
      const set = records.filter((r) => r.data.type === type);
      const answer = qnameRecords(set[0].ttl, set.map((r) => r.data));
      const additional = type === 'NS' ? glueFor(set.map((r) => (r.data as { host: string }).host), zone.records) : EMPTY_SECTION;
      byType.set(TYPE[type], prebuilt(RCODE.NOERROR, true, answer, EMPTY_SECTION, additional));
    }
    if (name === zone.name) byType.set(TYPE.SOA, prebuilt(RCODE.NOERROR, true, { bytes: soaAnswer(zone), count: 1 }));
    const cnameRecord = records.find((r) => r.data.type === 'CNAME');
    const anyType = ANY_PREFERENCE.find((t) => types.has(t));
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

/** Address answers of `family` for a region, rotated when it has more endpoints than fit. */
function addressAnswers(spec: RegionSpec, status: RegionStatusView, family: 4 | 6, policy: NamePolicy, zone: ZoneData): PrebuiltAnswer[] {
  const endpoints = answerEndpoints(spec, status.get(spec.name), family);
  if (endpoints.length === 0) return [zone.nodata];
  const type = family === 4 ? ('A' as const) : ('AAAA' as const);
  const rotations = endpoints.length <= policy.maxAnswers ? 1 : endpoints.length;
  const answers: PrebuiltAnswer[] = [];
  for (let i = 0; i < rotations; i++) {
    const picked = Array.from({ length: Math.min(policy.maxAnswers, endpoints.length) }, (_, k) => endpoints[(i + k) % endpoints.length]);
    answers.push(prebuilt(RCODE.NOERROR, true, qnameRecords(policy.ttl, picked.map((e) => ({ type, address: e.address })))));
  }
  return answers;
}

function compileSteered(policy: NamePolicy, model: ServiceModel, status: RegionStatusView, zone: ZoneData): SteeredData {
  const regions = new Map<string, RegionAnswers>();
  for (const spec of model.regions.values()) {
    regions.set(spec.name, {
      a: addressAnswers(spec, status, 4, policy, zone),
      aaaa: addressAnswers(spec, status, 6, policy, zone),
      cname: spec.cname ? prebuilt(RCODE.NOERROR, true, qnameRecords(policy.ttl, [{ type: 'CNAME', target: spec.cname }])) : undefined,
    });
  }
  return {
    policy,
    outcomes: policy.rules.map((r) => resolveRule(r, status)),
    defaultOutcome: resolveRule(policy.defaultRule, status),
    regions,
    hasCnameRegion: [...regions.values()].some((r) => r.cname !== undefined),
  };
}

let generation = 0;

/** Builds the snapshot for a model and the current region status. Pure but for the generation counter. */
export function compileSnapshot(model: ServiceModel, status: RegionStatusView): Snapshot {
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
    const steered = compileSteered(policy, model, status, zoneNode.zone);
    nodes.set(key, { ...(existing ?? emptyNode(policy.name, zoneNode.zone)), steered });
    // Ancestors of a steered name exist too (empty non-terminals).
    for (let n = policy.name; n !== zoneName; n = n.slice(n.indexOf('.') + 1)) {
      const k = nameKey(n);
      if (!nodes.has(k)) nodes.set(k, emptyNode(n, zoneNode.zone));
    }
  }
  return { nodes, model, status, generation: ++generation };
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

/** The region a query gets for a rule outcome: the only candidate, or one picked by weight. */
export function pickRegion(outcome: RuleOutcome, rand: Random): string | undefined {
  return outcome.candidates.length === 1 ? outcome.candidates[0].region : pickCandidate(outcome, rand());
}

/** The answer of a steered name from `region` (a rotation when it has more endpoints than fit). */
export function regionAnswer(steered: SteeredData, region: string | undefined, qtype: number, zone: ZoneData, rand: Random): PrebuiltAnswer {
  const answers = region === undefined ? undefined : steered.regions.get(region);
  if (answers === undefined) return zone.nodata;
  if (answers.cname) return answers.cname;
  const list = qtype === TYPE.AAAA ? answers.aaaa : qtype === TYPE.A || qtype === TYPE.ANY ? answers.a : undefined;
  if (list === undefined) return zone.nodata;
  return list.length === 1 ? list[0] : list[Math.floor(rand() * list.length)];
}

/** The rule outcome for a client location. */
export function outcomeFor(steered: SteeredData, country: string | undefined, continent: string | undefined): RuleOutcome {
  const i = ruleIndexFor(steered.policy, country, continent);
  return i < 0 ? steered.defaultOutcome : steered.outcomes[i];
}
