/**
 * Reads the MMDB search tree directly: `SearchTree` finds the record for a numeric address
 * (the lookup of the query path, which must not format and re-parse address strings), and
 * `sampleNetworks` finds a few networks that carry data, used on open to validate the tree
 * and detect the record schema from real records instead of guessed addresses.
 */
import { formatIPv4, formatIPv6, readUint32 } from '../shared/ip-address.js';

/** The tree layout, from the metadata. */
export interface TreeLayout {
  readonly nodeCount: number;
  readonly recordSize: number;
  readonly ipVersion: number;
  /** Byte length of the data section (between the 16-byte separator and the metadata marker). */
  readonly dataSectionSize: number;
}

/** A network with data: an address inside it (IPv6 text for IPv6 trees) and its prefix length. */
export interface SampledNetwork {
  readonly address: string;
  readonly prefixLength: number;
}

function formatPath(bits: Uint8Array, ipVersion: number): string {
  if (ipVersion === 6) return formatIPv6(bits, 0);
  return formatIPv4(readUint32(bits, 0));
}

/**
 * Depth-first, left to right: the first `limit` networks with data, visiting at most
 * `maxNodes` nodes. Throws when a record points outside the tree and the data section.
 */
export function sampleNetworks(buf: Buffer, layout: TreeLayout, limit = 16, maxNodes = 50_000): SampledNetwork[] {
  const depthLimit = layout.ipVersion === 6 ? 128 : 32;
  const tree = new SearchTree(buf, layout);
  const samples: SampledNetwork[] = [];
  const visited = new Set<number>();
  const stack: { node: number; depth: number; bits: Uint8Array }[] = [
    { node: 0, depth: 0, bits: new Uint8Array(depthLimit / 8) },
  ];
  while (stack.length > 0 && samples.length < limit && visited.size < maxNodes) {
    const { node, depth, bits } = stack.pop()!;
    if (visited.has(node)) continue; // aliases (::ffff:0:0/96 -> ::/96) make the tree a DAG
    visited.add(node);
    if (depth >= depthLimit) throw new Error(`search tree deeper than ${depthLimit} bits`);
    const children: { node: number; depth: number; bits: Uint8Array }[] = [];
    for (const right of [false, true]) {
      const value = tree.record(node, right ? 1 : 0);
      const childBits = bits.slice();
      if (right) childBits[depth >> 3] |= 0x80 >>> (depth & 7);
      if (value < layout.nodeCount) {
        children.push({ node: value, depth: depth + 1, bits: childBits });
      } else if (value > layout.nodeCount) {
        const dataOffset = value - layout.nodeCount - 16;
        if (dataOffset < 0 || dataOffset >= layout.dataSectionSize) {
          throw new Error(`search tree record ${value} points outside the data section`);
        }
        if (samples.length < limit) samples.push({ address: formatPath(childBits, layout.ipVersion), prefixLength: depth + 1 });
      }
    }
    // right pushed first so the left branch is explored first
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return samples;
}

/** The fields of the metadata a walk needs. */
export type WalkLayout = Pick<TreeLayout, 'nodeCount' | 'recordSize' | 'ipVersion'>;

/**
 * Numeric walks of the search tree, bit for bit the walk of mmdb-lib's findAddressInTree:
 * IPv4 addresses in an IPv6 tree start at the node reached by 96 zero bits, and the depth
 * reached is the network's prefix length in the address's own bits.
 */
export class SearchTree {
  /** Depth at which the last find stopped: the prefix length of the network found. */
  depth = 0;
  private readonly nodeCount: number;
  private readonly recordSize: number;
  private readonly ipv4Start: number;

  constructor(
    private readonly buf: Buffer,
    layout: WalkLayout,
  ) {
    if (layout.recordSize !== 24 && layout.recordSize !== 28 && layout.recordSize !== 32) {
      throw new Error(`unsupported record size ${layout.recordSize}`);
    }
    this.nodeCount = layout.nodeCount;
    this.recordSize = layout.recordSize;
    let node = 0;
    if (layout.ipVersion === 6) {
      for (let i = 0; i < 96 && node < this.nodeCount; i++) node = this.record(node, 0);
    }
    this.ipv4Start = node;
  }

  /** True when a find's result points into the data section (otherwise: no data there). */
  hasData(record: number): boolean {
    return record > this.nodeCount;
  }

  /** The record where the walk for an IPv4 address (unsigned 32-bit) ends; sets `depth`. */
  findV4(addr: number): number {
    let node = this.ipv4Start;
    let depth = 0;
    while (depth < 32 && node < this.nodeCount) {
      node = this.record(node, (addr >>> (31 - depth)) & 1);
      depth++;
    }
    this.depth = depth;
    return node;
  }

  /** The record where the walk for the 16 IPv6 bytes at bytes[offset..] ends; sets `depth`. */
  findV6(bytes: Uint8Array, offset: number): number {
    let node = 0;
    let depth = 0;
    while (depth < 128 && node < this.nodeCount) {
      node = this.record(node, (bytes[offset + (depth >> 3)] >> (7 - (depth & 7))) & 1);
      depth++;
    }
    this.depth = depth;
    return node;
  }

  /**
   * Visits every record that ends a walk inside the `prefix`-bit network at bits[0..]
   * (4 octets in IPv4 bits when `v4`, else 16), depth first, with an address that leads to
   * it; at most `maxNodes` nodes. Returns false when `visit` returned false or the budget ran out.
   */
  walkNetwork(bits: Uint8Array, prefix: number, v4: boolean, maxNodes: number, visit: (record: number, address: Uint8Array) => boolean): boolean {
    let node = v4 ? this.ipv4Start : 0;
    for (let depth = 0; depth < prefix; depth++) {
      if (node >= this.nodeCount) return visit(node, bits); // one record covers the whole network
      node = this.record(node, (bits[depth >> 3] >> (7 - (depth & 7))) & 1);
    }
    const limit = v4 ? 32 : 128;
    const stack: { node: number; depth: number; path: Uint8Array }[] = [{ node, depth: prefix, path: bits.slice() }];
    let visited = 0;
    while (stack.length > 0) {
      const { node: n, depth, path } = stack.pop()!;
      if (n >= this.nodeCount) {
        if (!visit(n, path)) return false;
        continue;
      }
      if (++visited > maxNodes || depth >= limit) return false;
      const right = path.slice();
      right[depth >> 3] |= 0x80 >>> (depth & 7);
      stack.push({ node: this.record(n, 1), depth: depth + 1, path: right });
      stack.push({ node: this.record(n, 0), depth: depth + 1, path });
    }
    return true;
  }

  /** The left (bit 0) or right (bit 1) record of a node. */
  record(node: number, bit: number): number {
    const buf = this.buf;
    switch (this.recordSize) {
      case 24: {
        const o = node * 6 + bit * 3;
        return (buf[o] << 16) | (buf[o + 1] << 8) | buf[o + 2];
      }
      case 28: {
        const o = node * 7;
        // the middle byte holds the top 4 bits of both records: high nibble left, low right
        return bit === 0
          ? (buf[o + 3] >>> 4) * 16777216 + ((buf[o] << 16) | (buf[o + 1] << 8) | buf[o + 2])
          : (buf[o + 3] & 0x0f) * 16777216 + ((buf[o + 4] << 16) | (buf[o + 5] << 8) | buf[o + 6]);
      }
      default: {
        const o = node * 8 + bit * 4;
        return buf[o] * 16777216 + ((buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]);
      }
    }
  }
}
