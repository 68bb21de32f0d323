import type { ServiceModel, ZoneModel } from '../config/model.js';
import type { NameAnswerPlan } from '../steering/answer-plan.js';
import type { NamePolicy } from '../steering/types.js';
import { StaticCompiler, type ZoneData } from './node-answers.js';
import type { ChainPrefix, PrebuiltAnswer } from './prebuilt.js';
import { compileSteered, steeredSource, type SteeredData, type SteeredSource } from './steered-answers.js';
import { encodeName } from './wire.js';
import { parentName } from '../config/names.js';
import { isWildcardName, ZoneTree } from './zone-tree.js';

// The wire form of a snapshot: every answer the hot path can give, encoded when the control
// plane compiles a snapshot and swapped as a whole with it. The static part (zone data,
// chains, wildcards, referrals) depends on the config alone and is compiled once per config;
// each compile lays the steered names' answer plans over it (index for index, see
// steering/answer-plan.ts). A query costs one Map lookup, a few more for a name that does not
// exist (its closest encloser, then that node's wildcard child).

export type { ZoneData } from './node-answers.js';
export { isSteeredType, steeredAnswer, steersType, type RegionAnswers, type SteeredData } from './steered-answers.js';

/** A CNAME chain that ends at a steered name: the static records, then that name's per-client answer. */
export interface SteeredChain {
  readonly prefix: ChainPrefix;
  readonly steered: SteeredData;
  /** NODATA of the steered name's zone (its SOA), after the prefix. */
  readonly nodata: PrebuiltAnswer;
}

/** Everything known about one owner name. */
export interface NameNode {
  readonly name: string;
  readonly zone: ZoneData;
  /** Static answers by query type. */
  readonly byType: ReadonlyMap<number, PrebuiltAnswer>;
  /** The answer to types not in byType: NODATA, or the end of the name's CNAME chain. */
  readonly fallback: PrebuiltAnswer;
  /** RFC 8482 minimal answer to ANY. */
  readonly any: PrebuiltAnswer;
  /**
   * At and below a delegation point: the referral for names below this one that have no
   * node. The node's own referral is its fallback (byType then holds only DS at the cut).
   */
  readonly referral: PrebuiltAnswer | undefined;
  /** The `*` child: answers for names below this one that do not exist (RFC 4592). */
  readonly wildcard: NameNode | undefined;
  readonly steered: SteeredData | undefined;
  /** Set when the name's CNAME chain ends at a steered name. */
  readonly chain: SteeredChain | undefined;
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

/** The config-only part of a table, and the names each compile lays steering over. */
interface StaticTable {
  readonly nodes: ReadonlyMap<string, NameNode>;
  /** Every steered name's source, by name. */
  readonly steered: ReadonlyMap<string, SteeredSource>;
  /** Names whose chain ends at a steered name: key, prefix, target name, target zone's NODATA. */
  readonly chains: readonly { readonly key: string; readonly prefix: ChainPrefix; readonly target: string; readonly nodata: PrebuiltAnswer }[];
}

// One static table per config: compiles for health, weight or endpoint changes keep the zones.
const staticTables = new WeakMap<readonly ZoneModel[], { readonly steered: string; readonly table: StaticTable }>();

function staticTable(zones: readonly ZoneModel[], policies: readonly NamePolicy[]): StaticTable {
  const steered = policies.map((p) => p.name);
  const cached = staticTables.get(zones);
  if (cached && cached.steered === steered.join('\n')) return cached.table;
  const tree = new ZoneTree(zones, steered);
  const compiler = new StaticCompiler(tree);
  const nodes = new Map<string, NameNode>();
  const chains: StaticTable['chains'][number][] = [];
  const wildcards: [parent: string, child: string][] = [];
  for (const zone of tree.allZones()) {
    for (const node of zone.nodes.values()) {
      const a = compiler.answers(node);
      const key = nameKey(node.name);
      nodes.set(key, { name: node.name, zone: a.zone, byType: a.byType, fallback: a.fallback, any: a.any, referral: a.referral, wildcard: undefined, steered: undefined, chain: undefined });
      if (a.chainTo) chains.push({ key, prefix: a.chainTo.prefix, target: a.chainTo.target.name, nodata: compiler.zone(a.chainTo.target.zone).nodata });
      if (node.wildcard) wildcards.push([key, nameKey(node.wildcard.name)]);
    }
  }
  for (const [parent, child] of wildcards) nodes.set(parent, { ...nodes.get(parent)!, wildcard: nodes.get(child) });
  // the tree is not kept: a table holds encoded answers only
  const sources = new Map(steered.map((name) => [name, steeredSource(tree.zoneOf(name)!.nodes.get(name)!)]));
  const table = { nodes, steered: sources, chains };
  staticTables.set(zones, { steered: steered.join('\n'), table });
  return table;
}

/** Encodes every zone's static data and every steered name's plan (`plans` by name). Pure. */
export function compileAnswerTable(model: ServiceModel, plans: ReadonlyMap<string, NameAnswerPlan>): AnswerTable {
  const base = staticTable(model.zones, model.policies);
  if (model.policies.length === 0) return { nodes: base.nodes };
  const nodes = new Map(base.nodes);
  const steered = new Map<string, SteeredData>();
  const replaced: string[] = [];
  for (const policy of model.policies) {
    const data = compileSteered(plans.get(policy.name)!, base.steered.get(policy.name)!);
    steered.set(policy.name, data);
    const key = nameKey(policy.name);
    nodes.set(key, { ...nodes.get(key)!, steered: data });
    replaced.push(key);
  }
  for (const c of base.chains) {
    nodes.set(c.key, { ...nodes.get(c.key)!, chain: { prefix: c.prefix, steered: steered.get(c.target)!, nodata: c.nodata } });
    replaced.push(c.key);
  }
  // a parent keeps pointing at its wildcard child: the new object when the child was replaced
  for (const key of replaced) {
    const node = nodes.get(key)!;
    if (!isWildcardName(node.name)) continue;
    const parentKey = nameKey(parentName(node.name));
    nodes.set(parentKey, { ...nodes.get(parentKey)!, wildcard: node });
  }
  return { nodes };
}

/** The steered name whose answer plan answers A and AAAA for a name, and how the name reaches it. */
export interface SteeringOfName {
  readonly steered: SteeredData;
  /** undefined when the name is the steered name itself; else the wildcard and the CNAME chain it goes through. */
  readonly via: string | undefined;
}

/**
 * What resolve() (query-handler.ts) steers an A or AAAA query for `name` by: the name's own
 * policy, a wildcard's that stands for it, or the policy of the steered name its CNAME chain
 * ends at. undefined when the answer is static, a referral, NXDOMAIN or outside our zones.
 */
export function steeringFor(table: AnswerTable, name: string): SteeringOfName | undefined {
  let node = table.nodes.get(nameKey(name));
  let wildcard: string | undefined;
  if (node === undefined) {
    // the closest encloser, then its wildcard child (RFC 4592 3.3.1), as the hot path finds it
    let encloser: NameNode | undefined;
    for (let n = parentName(name); encloser === undefined && n !== ''; n = parentName(n)) encloser = table.nodes.get(nameKey(n));
    if (encloser === undefined || encloser.referral !== undefined || encloser.wildcard === undefined) return undefined;
    node = encloser.wildcard;
    wildcard = `${name} matches ${node.name}`;
  }
  if (node.steered !== undefined) return { steered: node.steered, via: wildcard };
  if (node.chain === undefined) return undefined;
  const chain = `CNAME chain to ${node.chain.steered.plan.policy.name}`;
  return { steered: node.chain.steered, via: wildcard === undefined ? `${name} ${chain}` : `${wildcard}, ${chain}` };
}
