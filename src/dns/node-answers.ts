import type { DataOf } from '../config/rdata/record-data.js';
import { encodeAnswer, encodeChainPrefix, QNAME, type AnswerSpec, type QuestionShape, type RecordSpec } from './answer-encoder.js';
import { followChain } from './cname-chain.js';
import type { ChainPrefix, PrebuiltAnswer } from './prebuilt.js';
import { RCODE, TYPE } from './wire.js';
import { parentName } from '../config/names.js';
import { isWildcardName, type RRset, type TreeNode, type TreeZone, type ZoneTree } from './zone-tree.js';

// The static answers of every name, encoded once per config: positive answers with their
// additional-section addresses, NODATA and NXDOMAIN with the zone's SOA (RFC 2308 2.1, 2.2),
// referrals at and below delegations (AA off, NS in authority, in-domain glue: RFC 1034
// 4.3.2 step 3b, RFC 9471), DS answered by the parent (RFC 4035 3.1.4.1), CNAME chains
// (cname-chain.ts), and wildcard nodes, whose answers serve any name they stand for.

/** A served zone's shared negative answers. */
export interface ZoneData {
  readonly name: string;
  readonly nodata: PrebuiltAnswer;
  readonly nxdomain: PrebuiltAnswer;
}

/** The static answers of one name. */
export interface StaticAnswers {
  readonly zone: ZoneData;
  /** Answers by query type. */
  readonly byType: ReadonlyMap<number, PrebuiltAnswer>;
  /** The answer to every other type: NODATA, or where a CNAME chain ends. */
  readonly fallback: PrebuiltAnswer;
  /** RFC 8482: one RRset, the one with the lowest type code (as Knot picks), or the CNAME. */
  readonly any: PrebuiltAnswer;
  /** Set at and below a delegation point: the referral for names below this one that have no node (shared). */
  readonly referral: PrebuiltAnswer | undefined;
  /** A CNAME chain that ends at a steered name: its records, and that name's node. */
  readonly chainTo: { readonly prefix: ChainPrefix; readonly target: TreeNode } | undefined;
}

/** The names a query answered at the node `name` can carry: exactly that, or (a wildcard) any name below its parent. */
export function shapeOf(name: string): QuestionShape {
  return isWildcardName(name) ? { endsWith: parentName(name) } : { exact: name };
}

const NONE: readonly RecordSpec[] = [];
const ADDITIONAL_TYPES: ReadonlySet<number> = new Set([TYPE.NS, TYPE.MX, TYPE.SRV, TYPE.SVCB, TYPE.HTTPS]);

function records(owner: string | typeof QNAME, rrset: RRset): RecordSpec[] {
  return rrset.data.map((data) => ({ owner, ttl: rrset.ttl, data }));
}

/** The zone's SOA in a negative answer: TTL min(SOA TTL, MINIMUM) (RFC 2308 3). */
function negativeSoa(zone: TreeZone): RecordSpec {
  const m = zone.model;
  return { owner: zone.name, ttl: Math.min(m.ttl, m.soa.minimum), data: { type: 'SOA', ...m.soa } };
}

function negative(zone: TreeZone, rcode: number, answer: readonly RecordSpec[] = []): AnswerSpec {
  return { rcode, aa: true, answer, authority: [negativeSoa(zone)] };
}

/**
 * Addresses a client of `rrset` will ask for next, when the zone holds them (RFC 1035 3.3.9
 * MX and 3.3.11 NS, RFC 2782 SRV, RFC 9460 4.1 SVCB/HTTPS, which adds an AliasMode target's
 * own SVCB/HTTPS RRset): what Knot and NSD put in the additional section. Steered targets,
 * aliases and names below delegations are left out (NS aside: those are the glue).
 */
export function additionalFor(zone: TreeZone, rrset: RRset): readonly RecordSpec[] {
  if (!ADDITIONAL_TYPES.has(rrset.type)) return NONE;
  const out: RecordSpec[] = [];
  const seen = new Set<string>();
  const add = (name: string, type: number, set: RRset | undefined) => {
    if (set === undefined || seen.has(`${type}/${name}`)) return;
    seen.add(`${type}/${name}`);
    out.push(...records(name, set));
  };
  for (const d of rrset.data) {
    if (d.type === 'NS') {
      for (const set of zone.addresses.get(d.host) ?? []) add(d.host, set.type, set);
      continue;
    }
    const target = d.type === 'MX' ? d.exchange : d.type === 'SRV' || d.type === 'SVCB' || d.type === 'HTTPS' ? d.target : undefined;
    const node = target ? zone.nodes.get(target) : undefined;
    if (target === undefined || node === undefined || node.cut || node.steered || node.rrsets.has(TYPE.CNAME)) continue;
    add(target, TYPE.A, node.rrsets.get(TYPE.A));
    add(target, TYPE.AAAA, node.rrsets.get(TYPE.AAAA));
    if ((d.type === 'SVCB' || d.type === 'HTTPS') && d.priority === 0) add(target, rrset.type, node.rrsets.get(rrset.type));
  }
  return out;
}

function positive(owner: string | typeof QNAME, rrset: RRset, zone: TreeZone, before: readonly RecordSpec[] = []): AnswerSpec {
  return { rcode: RCODE.NOERROR, aa: true, answer: [...before, ...records(owner, rrset)], additional: additionalFor(zone, rrset) };
}

/** A referral to the zone cut at `cut`: its NS, and the addresses of those at or below it (in-domain glue, RFC 9471 2.1). */
function referral(cut: TreeNode, before: readonly RecordSpec[] = []): AnswerSpec {
  const ns = cut.rrsets.get(TYPE.NS)!;
  const glue: RecordSpec[] = [];
  for (const host of new Set(ns.data.map((d) => (d as DataOf<'NS'>).host))) {
    if (host !== cut.name && !host.endsWith(`.${cut.name}`)) continue;
    for (const set of cut.zone.addresses.get(host) ?? []) glue.push(...records(host, set));
  }
  // AA stays on when a CNAME of ours comes first (the answer section is authoritative), as Knot does
  return { rcode: RCODE.NOERROR, aa: before.length > 0, answer: before, authority: records(cut.name, ns), additional: glue };
}

/** Compiles the static answers of a zone tree's names; shared answers are encoded once. */
export class StaticCompiler {
  private readonly zones = new Map<TreeZone, ZoneData>();
  private readonly referrals = new Map<TreeNode, PrebuiltAnswer>();

  constructor(private readonly tree: ZoneTree) {}

  /** The negative answers of a zone: shared by all its names, so their pointers into the question are late-bound. */
  zone(zone: TreeZone): ZoneData {
    let data = this.zones.get(zone);
    if (data === undefined) {
      const shape = { endsWith: zone.name };
      data = { name: zone.name, nodata: encodeAnswer(negative(zone, RCODE.NOERROR), shape), nxdomain: encodeAnswer(negative(zone, RCODE.NXDOMAIN), shape) };
      this.zones.set(zone, data);
    }
    return data;
  }

  private referral(cut: TreeNode): PrebuiltAnswer {
    let answer = this.referrals.get(cut);
    if (answer === undefined) {
      answer = encodeAnswer(referral(cut), { endsWith: cut.name });
      this.referrals.set(cut, answer);
    }
    return answer;
  }

  /** The static answers of `node`. */
  answers(node: TreeNode): StaticAnswers {
    const zone = this.zone(node.zone);
    const shape = shapeOf(node.name);
    const byType = new Map<number, PrebuiltAnswer>();
    if (node.cut) {
      // every type gets the referral, but DS at the cut itself: the parent side answers it (RFC 4035 3.1.4.1)
      const own = encodeAnswer(referral(node.cut), shape);
      const ds = node.rrsets.get(TYPE.DS);
      if (node === node.cut) byType.set(TYPE.DS, ds ? encodeAnswer(positive(QNAME, ds, node.zone), shape) : this.nodata(node, shape));
      return { zone, byType, fallback: own, any: own, referral: this.referral(node.cut), chainTo: undefined };
    }
    const cname = node.rrsets.get(TYPE.CNAME);
    if (cname) return this.chainAnswers(node, cname, zone, shape);
    for (const [type, rrset] of node.rrsets) byType.set(type, encodeAnswer(positive(QNAME, rrset, node.zone), shape));
    if (node.parentDs) {
      const { zone: parent, rrset } = node.parentDs;
      byType.set(TYPE.DS, rrset ? encodeAnswer(positive(QNAME, rrset, parent), shape) : this.zone(parent).nodata);
    }
    const lowest = node.rrsets.keys().next();
    const nodata = this.nodata(node, shape);
    return { zone, byType, fallback: nodata, any: lowest.done ? nodata : byType.get(lowest.value)!, referral: undefined, chainTo: undefined };
  }

  /**
   * NODATA at `node`: the zone's shared answer, unless the name is (a suffix of) a name in
   * the SOA below the apex (ns1.example.com asked for MX): then its own, whose SOA points at
   * the question name, a few octets shorter.
   */
  private nodata(node: TreeNode, shape: QuestionShape): PrebuiltAnswer {
    const { mname, rname } = node.zone.model.soa;
    const inSoa = (n: string) => n === node.name || n.endsWith(`.${node.name}`);
    if (!('exact' in shape) || node.name === node.zone.name || !(inSoa(mname) || inSoa(rname))) return this.zone(node.zone).nodata;
    return encodeAnswer(negative(node.zone, RCODE.NOERROR), shape);
  }

  private chainAnswers(node: TreeNode, cname: RRset, zone: ZoneData, shape: QuestionShape): StaticAnswers {
    const chain = followChain(this.tree, cname.data[0] as DataOf<'CNAME'>, cname.ttl, 'exact' in shape ? node.name : undefined);
    const { records: before, end, endName } = chain;
    const byType = new Map<number, PrebuiltAnswer>();
    let fallback: AnswerSpec = { rcode: RCODE.NOERROR, aa: true, answer: before };
    let chainTo: StaticAnswers['chainTo'];
    if (end?.kind === 'nxdomain') fallback = negative(end.zone, RCODE.NXDOMAIN, before);
    else if (end?.kind === 'cut') {
      fallback = referral(end.cut, before);
      const ds = end.cut.rrsets.get(TYPE.DS);
      if (end.exact) byType.set(TYPE.DS, encodeAnswer(ds ? positive(endName, ds, end.cut.zone, before) : negative(end.cut.zone, RCODE.NOERROR, before), shape));
    } else if (end?.kind === 'node') {
      const target = end.node;
      for (const [type, rrset] of target.rrsets) byType.set(type, encodeAnswer(positive(endName, rrset, target.zone, before), shape));
      fallback = negative(target.zone, RCODE.NOERROR, before);
      if (target.steered) chainTo = { prefix: encodeChainPrefix(before, shape), target };
    }
    // a CNAME query, and ANY (RFC 8482), get the CNAME itself, not the chain (RFC 1034 4.3.2)
    const own = encodeAnswer({ rcode: RCODE.NOERROR, aa: true, answer: before.slice(0, 1) }, shape);
    byType.set(TYPE.CNAME, own);
    return { zone, byType, fallback: encodeAnswer(fallback, shape), any: own, referral: undefined, chainTo };
  }
}
