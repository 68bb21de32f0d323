import type { DataOf } from '../config/rdata/record-data.js';
import { QNAME, type RecordSpec } from './answer-encoder.js';
import { TYPE } from './wire.js';
import type { Lookup, ZoneTree } from './zone-tree.js';

// Follows a CNAME chain through the zones we serve, once per snapshot (RFC 1034 4.3.2 step
// 3a: the answer carries every CNAME and then the data of the last name; RFC 6604: the
// rcode is that of the last name). A chain ends at a name with no CNAME (or a steered one),
// at a name outside our zones, at a delegation, at a name that does not exist, or when it
// would repeat a name already in the answer (a loop) or grow past CNAME_CHAIN_LIMIT records;
// the last two end with the CNAMEs so far and NOERROR, as Knot and BIND answer.

/**
 * CNAME records one answer carries at most. Knot stops at 5; 8 leaves room for the chains
 * operators build (alias -> service -> region, a hop or two per zone) and keeps a looping or
 * runaway chain's answer near 2 KiB (8 records of at most 267 octets).
 */
export const CNAME_CHAIN_LIMIT = 8;

/** A followed chain: its CNAME records (the first owned by the question name) and where its last target led. */
export interface Chain {
  readonly records: readonly RecordSpec[];
  /** The last CNAME's target. */
  readonly endName: string;
  /** What the last target resolved to; undefined when the chain stopped at a loop or at the limit. */
  readonly end: Lookup | undefined;
}

/**
 * Follows the CNAME `first` (TTL `ttl`) given at the question name. `qname` is the question
 * name when it is known (undefined for a wildcard's synthesised CNAME, RFC 4592 4.1).
 */
export function followChain(tree: ZoneTree, first: DataOf<'CNAME'>, ttl: number, qname: string | undefined): Chain {
  const records: RecordSpec[] = [{ owner: QNAME, ttl, data: first }];
  const owners = new Set<string>(qname === undefined ? [] : [qname]);
  let target = first.target;
  for (;;) {
    if (owners.has(target) || records.length >= CNAME_CHAIN_LIMIT) return { records, endName: target, end: undefined };
    const end = tree.lookup(target);
    const next = end.kind === 'node' && !end.node.steered ? end.node.rrsets.get(TYPE.CNAME) : undefined;
    if (next === undefined) return { records, endName: target, end };
    const data = next.data[0] as DataOf<'CNAME'>;
    owners.add(target);
    records.push({ owner: target, ttl: next.ttl, data });
    target = data.target;
  }
}
