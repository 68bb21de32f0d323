/**
 * Reads the MMDB search tree directly to find a few networks that carry data. Used on open to
 * validate the tree and detect the record schema from real records instead of guessed
 * addresses (a custom database may hold none of the usual ones).
 */
import { formatIPv6 } from './ip-address.js';

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

function readRecord(buf: Buffer, layout: TreeLayout, node: number, right: boolean): number {
  const size = layout.recordSize;
  const offset = node * (size / 4);
  if (size === 24) return buf.readUIntBE(offset + (right ? 3 : 0), 3);
  if (size === 28) {
    return right
      ? ((buf[offset + 3] & 0x0f) * 2 ** 24) + buf.readUIntBE(offset + 4, 3)
      : ((buf[offset + 3] >>> 4) * 2 ** 24) + buf.readUIntBE(offset, 3);
  }
  return buf.readUInt32BE(offset + (right ? 4 : 0));
}

function formatPath(bits: Uint8Array, ipVersion: number): string {
  if (ipVersion === 6) return formatIPv6(bits, 0);
  return `${bits[0]}.${bits[1]}.${bits[2]}.${bits[3]}`;
}

/**
 * Depth-first, left to right: the first `limit` networks with data, visiting at most
 * `maxNodes` nodes. Throws when a record points outside the tree and the data section.
 */
export function sampleNetworks(buf: Buffer, layout: TreeLayout, limit = 16, maxNodes = 50_000): SampledNetwork[] {
  const depthLimit = layout.ipVersion === 6 ? 128 : 32;
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
      const value = readRecord(buf, layout, node, right);
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
