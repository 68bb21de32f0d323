import type { ZoneModel } from '../config/model.js';
import { isInZone, parentName } from '../config/names.js';
import type { AnyRecordData, StaticRecord } from '../config/records.js';
import { typeCode } from '../config/rdata/type-codes.js';
import { TYPE } from './wire.js';

// The served zones as the answer compiler sees them (compile time only): every name with its
// RRsets, the empty non-terminals above them, delegation points, wildcard children, and the
// one lookup that finds what a name resolves to, by the rules of RFC 1034 4.3.2 and RFC 4592.

/** The records of one owner name and type (RFC 2181 5), with the set's one TTL. */
export interface RRset {
  readonly type: number;
  readonly ttl: number;
  readonly data: readonly AnyRecordData[];
}

/** A served zone. */
export interface TreeZone {
  readonly name: string;
  readonly model: ZoneModel;
  /** Every name the zone answers for, by canonical name; the apex is always there. */
  readonly nodes: ReadonlyMap<string, TreeNode>;
  /** A and AAAA RRsets by owner, names below delegations included: where glue comes from. */
  readonly addresses: ReadonlyMap<string, readonly RRset[]>;
}

/** One name of a zone: an owner of records, an empty non-terminal, or a steered name. */
export interface TreeNode {
  readonly name: string;
  readonly zone: TreeZone;
  /** RRsets by type code, in ascending type-code order. */
  readonly rrsets: ReadonlyMap<number, RRset>;
  /** The highest delegation point at or above this name, when the name is at or below one. */
  readonly cut: TreeNode | undefined;
  /** The `*` child that synthesises answers for missing names below this one (RFC 4592 2.2.1). */
  readonly wildcard: TreeNode | undefined;
  /** Answered from a steered name's policy (names[]). */
  readonly steered: boolean;
  /** At the apex of a zone whose parent zone we serve too: the parent's DS RRset here (RFC 4035 3.1.4.1). */
  readonly parentDs: { readonly zone: TreeZone; readonly rrset: RRset | undefined } | undefined;
}

/** What a name resolves to inside our zones. */
export type Lookup =
  | { readonly kind: 'out' }
  | { readonly kind: 'nxdomain'; readonly zone: TreeZone }
  /** At or below a delegation point: the zone cut's referral (DS at the cut itself: `exact`). */
  | { readonly kind: 'cut'; readonly cut: TreeNode; readonly exact: boolean }
  /** The name's node, or the wildcard node that stands for it (RFC 4592 3.3.1). */
  | { readonly kind: 'node'; readonly node: TreeNode };

/** True for a wildcard owner `*.<closest encloser>` (RFC 4592 2.1.1). */
export function isWildcardName(name: string): boolean {
  return name === '*' || name.startsWith('*.');
}

type MutableNode = { -readonly [K in keyof TreeNode]: TreeNode[K] } & { rrsets: Map<number, RRset> };

/** Every served zone, indexed for lookups by name. */
export class ZoneTree {
  private readonly zones = new Map<string, TreeZone>();
  /** DS RRsets parents hold for the apexes of child zones not filled yet. */
  private readonly pendingDs: { child: TreeZone; parent: TreeZone; rrset: { ttl: number; data: AnyRecordData[] } | undefined }[] = [];

  /** `zones` as the model gives them; `steered` are the steered names (names[].name). */
  constructor(zones: readonly ZoneModel[], steered: readonly string[]) {
    for (const zone of zones) this.zones.set(zone.name, { name: zone.name, model: zone, nodes: new Map(), addresses: new Map() });
    for (const zone of this.zones.values()) this.fill(zone, steered);
  }

  /** The deepest served zone holding `name`. */
  zoneOf(name: string): TreeZone | undefined {
    for (let n = name; ; n = parentName(n)) {
      const zone = this.zones.get(n);
      if (zone !== undefined) return zone;
      if (n === '') return undefined;
    }
  }

  /** Every zone, in the order of the model. */
  allZones(): Iterable<TreeZone> {
    return this.zones.values();
  }

  /** What `name` resolves to: the node, a wildcard standing for it, a referral, NXDOMAIN, or outside our zones. */
  lookup(name: string): Lookup {
    const zone = this.zoneOf(name);
    if (zone === undefined) return { kind: 'out' };
    const node = zone.nodes.get(name);
    if (node !== undefined) return node.cut ? { kind: 'cut', cut: node.cut, exact: node === node.cut } : { kind: 'node', node };
    // The closest encloser: the deepest existing ancestor (RFC 4592 3.3.1); the apex always exists.
    let encloser: TreeNode | undefined;
    for (let n = parentName(name); encloser === undefined; n = parentName(n)) encloser = zone.nodes.get(n);
    if (encloser.cut) return { kind: 'cut', cut: encloser.cut, exact: false };
    if (encloser.wildcard) return { kind: 'node', node: encloser.wildcard };
    return { kind: 'nxdomain', zone };
  }

  private fill(zone: TreeZone, steered: readonly string[]): void {
    const model = zone.model;
    const nodes = zone.nodes as Map<string, MutableNode>;
    const addresses = zone.addresses as Map<string, RRset[]>;
    const apex: StaticRecord<AnyRecordData>[] = [
      { name: model.name, ttl: model.ttl, data: { type: 'SOA', ...model.soa } },
      ...model.ns.map((host) => ({ name: model.name, ttl: model.nsTtl, data: { type: 'NS' as const, host } })),
    ];
    const byName = new Map<string, Map<number, { ttl: number; data: AnyRecordData[] }>>();
    for (const r of [...apex, ...model.records, ...model.unknownTypeRecords]) {
      const types = byName.get(r.name) ?? new Map<number, { ttl: number; data: AnyRecordData[] }>();
      byName.set(r.name, types);
      const code = typeCode(r.data);
      const set = types.get(code);
      if (set) set.data.push(r.data);
      else types.set(code, { ttl: r.ttl, data: [r.data] });
    }
    const node = (name: string): MutableNode => {
      let n = nodes.get(name);
      if (n === undefined) {
        n = { name, zone, rrsets: new Map(), cut: undefined, wildcard: undefined, steered: false, parentDs: undefined };
        nodes.set(name, n);
      }
      return n;
    };
    const withAncestors = (name: string): MutableNode => {
      // ancestors up to the apex exist as empty non-terminals (RFC 8020)
      for (let n = parentName(name); n !== zone.name && isInZone(n, zone.name); n = parentName(n)) node(n);
      return node(name);
    };
    node(zone.name);
    for (const [name, types] of byName) {
      for (const code of [TYPE.A, TYPE.AAAA]) {
        const set = types.get(code);
        if (set) addresses.set(name, [...(addresses.get(name) ?? []), { type: code, ...set }]);
      }
      if (this.zoneOf(name) !== zone) {
        // the name belongs to a deeper zone we serve; the DS we hold for its apex stays ours
        const child = this.zones.get(name);
        if (child) this.pendingDs.push({ child, parent: zone, rrset: types.get(TYPE.DS) });
        continue;
      }
      const n = withAncestors(name);
      for (const code of [...types.keys()].sort((a, b) => a - b)) n.rrsets.set(code, { type: code, ...types.get(code)! });
    }
    for (const name of steered) if (this.zoneOf(name) === zone) withAncestors(name).steered = true;
    for (const n of nodes.values()) {
      for (let a = n.name; a !== zone.name; a = parentName(a)) {
        const at = nodes.get(a);
        if (at?.rrsets.has(TYPE.NS)) n.cut = at; // keeps the highest cut on the way up
      }
      if (isWildcardName(n.name) && n.name !== zone.name) nodes.get(parentName(n.name))!.wildcard = n;
    }
    for (const p of this.pendingDs.splice(0)) {
      const apexNode = (p.child.nodes as Map<string, MutableNode>).get(p.child.name);
      if (apexNode) apexNode.parentDs = { zone: p.parent, rrset: p.rrset && { type: TYPE.DS, ...p.rrset } };
      else this.pendingDs.push(p);
    }
  }
}
