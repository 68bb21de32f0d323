import type { RecordData } from '../config/rdata/record-data.js';
import type { SteeredHints } from '../config/rdata/svc-params.js';
import { pickRotation, type NameAnswerPlan, type RegionAnswerPlan } from '../steering/answer-plan.js';
import type { Endpoint, Random } from '../steering/types.js';
import { encodeAnswer, QNAME, type QuestionShape, type RecordSpec } from './answer-encoder.js';
import { additionalFor, shapeOf } from './node-answers.js';
import type { PrebuiltAnswer } from './prebuilt.js';
import { RCODE, TYPE } from './wire.js';
import type { RRset, TreeNode } from './zone-tree.js';

// The wire copy of a steered name's answer plan, per compile: for each region the rotations
// of its A and AAAA answers, its CNAME, and its HTTPS/SVCB records with `ipv4hint=steered` /
// `ipv6hint=steered` filled with that region's addresses, one answer per rotation. Owners are
// pointers to the question name, moved to the chain's last target when a CNAME chain leads
// here (section-writer.ts), so one encoding serves both.

/** The answers of one region of a steered name (empty lists: NODATA). */
export interface RegionAnswers {
  readonly a: readonly PrebuiltAnswer[];
  readonly aaaa: readonly PrebuiltAnswer[];
  /** Set for CNAME regions: the answer to every query type. */
  readonly cname: PrebuiltAnswer | undefined;
  /** HTTPS and SVCB RRsets with steered hints, one answer per rotation of the region's addresses. */
  readonly https: readonly PrebuiltAnswer[] | undefined;
  readonly svcb: readonly PrebuiltAnswer[] | undefined;
}

/** A steered name: its answer plan and the wire answers of the plan's regions. */
export interface SteeredData {
  readonly plan: NameAnswerPlan;
  readonly regions: ReadonlyMap<string, RegionAnswers>;
  /** The name has HTTPS / SVCB records with steered hints: those types take the steering path too. */
  readonly hintsHttps: boolean;
  readonly hintsSvcb: boolean;
}

/** Query types answered from the steering decision at a steered name itself. */
export function isSteeredType(qtype: number): boolean {
  return qtype === TYPE.A || qtype === TYPE.AAAA || qtype === TYPE.ANY || qtype === TYPE.CNAME;
}

/** True when a query of `qtype` at (or chained to) `steered` takes the steering path; `statics` are the static answers beside it. */
export function steersType(steered: SteeredData, qtype: number, statics: ReadonlyMap<number, PrebuiltAnswer>): boolean {
  if (qtype === TYPE.A || qtype === TYPE.AAAA) return true;
  if ((qtype === TYPE.HTTPS && steered.hintsHttps) || (qtype === TYPE.SVCB && steered.hintsSvcb)) return true;
  return steered.plan.hasCnameRegion && !statics.has(qtype) && qtype !== TYPE.ANY;
}

/** What a steered name's answers need from its zone, kept after the zone tree is gone. */
export interface SteeredSource {
  readonly name: string;
  /** Its HTTPS and SVCB RRsets that have steered hints, with their additional-section records. */
  readonly hinted: ReadonlyMap<number, { readonly rrset: RRset; readonly additional: readonly RecordSpec[] }>;
}

function hasSteeredHint(rrset: RRset): boolean {
  const steered = (d: Extract<RecordData, { type: 'SVCB' | 'HTTPS' }>) => d.params.some((p) => (p.name === 'ipv4hint' || p.name === 'ipv6hint') && p.addresses === 'steered');
  return rrset.data.some((d) => steered(d as Extract<RecordData, { type: 'SVCB' | 'HTTPS' }>));
}

/** The source of the steered name at `node`. */
export function steeredSource(node: TreeNode): SteeredSource {
  const hinted = new Map<number, { rrset: RRset; additional: readonly RecordSpec[] }>();
  for (const type of [TYPE.HTTPS, TYPE.SVCB]) {
    const rrset = node.rrsets.get(type);
    if (rrset && hasSteeredHint(rrset)) hinted.set(type, { rrset, additional: additionalFor(node.zone, rrset) });
  }
  return { name: node.name, hinted };
}

function addresses(sets: readonly (readonly Endpoint[])[], k: number): string[] {
  return sets.length === 0 ? [] : sets[k % sets.length].map((e) => e.address);
}

/** The hinted RRset once per rotation: rotation k carries the k-th v4 and v6 endpoint sets (as the A and AAAA answers). */
function hinted(source: SteeredSource, type: number, region: RegionAnswerPlan, shape: QuestionShape): PrebuiltAnswer[] | undefined {
  const set = source.hinted.get(type);
  if (set === undefined) return undefined;
  const { rrset, additional } = set;
  const count = Math.max(1, region.v4.length, region.v6.length);
  return Array.from({ length: count }, (_, k) => {
    const hints: SteeredHints = { ipv4: addresses(region.v4, k), ipv6: addresses(region.v6, k) };
    const answer: RecordSpec[] = rrset.data.map((data) => ({ owner: QNAME, ttl: rrset.ttl, data, hints }));
    return encodeAnswer({ rcode: RCODE.NOERROR, aa: true, answer, additional }, shape);
  });
}

function regionAnswers(source: SteeredSource, region: RegionAnswerPlan, ttl: number, shape: QuestionShape): RegionAnswers {
  const family = (sets: readonly (readonly Endpoint[])[], type: 'A' | 'AAAA') =>
    sets.map((set) => encodeAnswer({ rcode: RCODE.NOERROR, aa: true, answer: set.map((e) => ({ owner: QNAME, ttl, data: { type, address: e.address } })) }, shape));
  return {
    a: family(region.v4, 'A'),
    aaaa: family(region.v6, 'AAAA'),
    cname: region.cname ? encodeAnswer({ rcode: RCODE.NOERROR, aa: true, answer: [{ owner: QNAME, ttl, data: { type: 'CNAME', target: region.cname } }] }, shape) : undefined,
    https: hinted(source, TYPE.HTTPS, region, shape),
    svcb: hinted(source, TYPE.SVCB, region, shape),
  };
}

/** Encodes the plan of the steered name `source`. */
export function compileSteered(plan: NameAnswerPlan, source: SteeredSource): SteeredData {
  // shared by the name itself and the chains ending there, whose last target ends with it too
  const own = shapeOf(source.name);
  const shape = 'exact' in own ? { endsWith: own.exact } : own;
  const regions = new Map<string, RegionAnswers>();
  for (const [name, region] of plan.regions) regions.set(name, regionAnswers(source, region, plan.policy.ttl, shape));
  return { plan, regions, hintsHttps: source.hinted.has(TYPE.HTTPS), hintsSvcb: source.hinted.has(TYPE.SVCB) };
}

/** The answer a steered name gives from `region`: its CNAME, or one rotation of the asked type (`nodata` when it has none). */
export function steeredAnswer(steered: SteeredData, region: string | undefined, qtype: number, nodata: PrebuiltAnswer, rand: Random): PrebuiltAnswer {
  const answers = region === undefined ? undefined : steered.regions.get(region);
  if (answers === undefined) return nodata;
  if (answers.cname) return answers.cname;
  const list = qtype === TYPE.A || qtype === TYPE.ANY ? answers.a : qtype === TYPE.AAAA ? answers.aaaa : hintedAnswers(answers, qtype);
  if (list === undefined || list.length === 0) return nodata;
  return list[pickRotation(list.length, rand)];
}

/** The HTTPS or SVCB rotations of a region (kept out of steeredAnswer, which the handler inlines). */
function hintedAnswers(answers: RegionAnswers, qtype: number): readonly PrebuiltAnswer[] | undefined {
  return qtype === TYPE.HTTPS ? answers.https : qtype === TYPE.SVCB ? answers.svcb : undefined;
}
