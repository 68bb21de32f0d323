/**
 * A small MaxMind DB (MMDB 2.0) writer, enough to build test databases in MaxMind's own
 * schema without downloading anything. Format: https://maxmind.github.io/MaxMind-DB/
 * binary search tree of 24/28/32-bit records, 16 zero bytes, the data section, then
 * "\xAB\xCD\xEFMaxMind.com" and the metadata map.
 */
import { isIP } from 'node:net';
import { parseIPv4, parseIPv6 } from '../src/shared/ip-address.js';

/** A value with an explicit MMDB type, for fields whose type the spec fixes (metadata). */
export class MmdbTyped {
  constructor(
    readonly type: 'uint16' | 'uint32' | 'uint64' | 'int32' | 'double' | 'float',
    readonly value: number | bigint,
  ) {}
}

/** Data the writer can encode. Plain numbers become uint32 (non-negative integers), int32 or double. */
export type MmdbValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | MmdbTyped
  | readonly MmdbValue[]
  | { readonly [key: string]: MmdbValue };

/** One network of the database and the record it maps to. */
export interface MmdbNetwork {
  /** CIDR, e.g. `1.34.0.0/15` or `2001:b000::/20`. IPv4 networks land at ::/96 in an IPv6 tree. */
  readonly network: string;
  readonly data: MmdbValue;
}

/** What to write. */
export interface MmdbWriteOptions {
  readonly databaseType: string;
  readonly networks: readonly MmdbNetwork[];
  readonly ipVersion?: 4 | 6;
  readonly recordSize?: 24 | 28 | 32;
  readonly buildEpochSeconds?: number;
  readonly languages?: readonly string[];
  readonly description?: Readonly<Record<string, string>>;
  /** Alias ::ffff:0:0/96 and 2002::/16 to the IPv4 subtree, as MaxMind's databases do (IPv6 only). */
  readonly aliasIPv4?: boolean;
}

const TYPE_IDS = {
  pointer: 1, utf8: 2, double: 3, bytes: 4, uint16: 5, uint32: 6, map: 7,
  int32: 8, uint64: 9, uint128: 10, array: 11, boolean: 14, float: 15,
} as const;

function pushControl(out: number[], type: number, size: number): void {
  const typeBits = type <= 7 ? type << 5 : 0;
  const extended = type > 7 ? [type - 7] : [];
  if (size < 29) {
    out.push(typeBits | size, ...extended);
  } else if (size < 29 + 256) {
    out.push(typeBits | 29, ...extended, size - 29);
  } else if (size < 285 + 65536) {
    const s = size - 285;
    out.push(typeBits | 30, ...extended, s >>> 8, s & 0xff);
  } else {
    const s = size - 65821;
    out.push(typeBits | 31, ...extended, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff);
  }
}

function unsignedBytes(value: bigint): number[] {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return bytes;
}

function pushUnsigned(out: number[], type: number, value: number | bigint, maxBytes: number): void {
  const big = BigInt(value);
  if (big < 0n) throw new Error(`mmdb-writer: negative value ${value} for an unsigned type`);
  const bytes = unsignedBytes(big);
  if (bytes.length > maxBytes) throw new Error(`mmdb-writer: ${value} does not fit in ${maxBytes} bytes`);
  pushControl(out, type, bytes.length);
  out.push(...bytes);
}

function pushTyped(out: number[], typed: MmdbTyped): void {
  switch (typed.type) {
    case 'uint16': return pushUnsigned(out, TYPE_IDS.uint16, typed.value, 2);
    case 'uint32': return pushUnsigned(out, TYPE_IDS.uint32, typed.value, 4);
    case 'uint64': return pushUnsigned(out, TYPE_IDS.uint64, typed.value, 8);
    case 'int32': {
      const buf = Buffer.alloc(4);
      buf.writeInt32BE(Number(typed.value));
      pushControl(out, TYPE_IDS.int32, 4);
      out.push(...buf);
      return;
    }
    case 'double': {
      const buf = Buffer.alloc(8);
      buf.writeDoubleBE(Number(typed.value));
      pushControl(out, TYPE_IDS.double, 8);
      out.push(...buf);
      return;
    }
    case 'float': {
      const buf = Buffer.alloc(4);
      buf.writeFloatBE(Number(typed.value));
      pushControl(out, TYPE_IDS.float, 4);
      out.push(...buf);
      return;
    }
  }
}

/** Appends the MMDB encoding of `value` to `out`. */
export function encodeValue(out: number[], value: MmdbValue): void {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    pushControl(out, TYPE_IDS.utf8, bytes.length);
    out.push(...bytes);
  } else if (typeof value === 'boolean') {
    pushControl(out, TYPE_IDS.boolean, value ? 1 : 0);
  } else if (typeof value === 'bigint') {
    pushUnsigned(out, TYPE_IDS.uint64, value, 8);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) pushUnsigned(out, TYPE_IDS.uint32, value, 4);
    else if (Number.isInteger(value) && value >= -(2 ** 31) && value < 0) pushTyped(out, new MmdbTyped('int32', value));
    else pushTyped(out, new MmdbTyped('double', value));
  } else if (value instanceof MmdbTyped) {
    pushTyped(out, value);
  } else if (value instanceof Uint8Array) {
    pushControl(out, TYPE_IDS.bytes, value.length);
    out.push(...value);
  } else if (Array.isArray(value)) {
    pushControl(out, TYPE_IDS.array, value.length);
    for (const item of value as readonly MmdbValue[]) encodeValue(out, item);
  } else {
    const entries = Object.entries(value as { readonly [key: string]: MmdbValue });
    pushControl(out, TYPE_IDS.map, entries.length);
    for (const [key, item] of entries) {
      encodeValue(out, key);
      encodeValue(out, item);
    }
  }
}

interface Leaf {
  readonly dataIndex: number;
}
interface TreeNode {
  readonly children: [Child, Child];
}
type Child = TreeNode | Leaf | null;

function isNode(child: Child): child is TreeNode {
  return child !== null && 'children' in child;
}

function bitAt(bytes: Uint8Array, index: number): 0 | 1 {
  return ((bytes[index >> 3] >>> (7 - (index & 7))) & 1) as 0 | 1;
}

/** Sets the record at `prefix` bits along `bytes` to `value`, splitting leaves on the way. */
function setRecord(root: TreeNode, bytes: Uint8Array, prefix: number, value: Child): void {
  let node = root;
  for (let depth = 0; depth < prefix - 1; depth++) {
    const bit = bitAt(bytes, depth);
    const child = node.children[bit];
    if (isNode(child)) {
      node = child;
    } else {
      const split: TreeNode = { children: [child, child] };
      node.children[bit] = split;
      node = split;
    }
  }
  node.children[bitAt(bytes, prefix - 1)] = value;
}

function nodeAt(root: TreeNode, bytes: Uint8Array, prefix: number): TreeNode | undefined {
  let node: Child = root;
  for (let depth = 0; depth < prefix; depth++) {
    if (!isNode(node)) return undefined;
    node = node.children[bitAt(bytes, depth)];
  }
  return isNode(node) ? node : undefined;
}

/** Parses a CIDR into tree bits: bytes (4 or 16) and prefix length in the tree's bits. */
function parseNetwork(network: string, ipVersion: 4 | 6): { bytes: Uint8Array; prefix: number } {
  const slash = network.indexOf('/');
  const address = slash === -1 ? network : network.slice(0, slash);
  const length = slash === -1 ? undefined : Number(network.slice(slash + 1));
  const family = isIP(address);
  if (family === 0) throw new Error(`mmdb-writer: ${network}: not an IP network`);
  const bits = family === 4 ? 32 : 128;
  const prefix = length ?? bits;
  if (!Number.isInteger(prefix) || prefix < 1 || prefix > bits) {
    throw new Error(`mmdb-writer: ${network}: prefix length must be 1..${bits}`);
  }
  if (ipVersion === 4) {
    if (family !== 4) throw new Error(`mmdb-writer: ${network}: IPv6 network in an IPv4 database`);
    const v4 = parseIPv4(address);
    return { bytes: Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff), prefix };
  }
  const bytes = new Uint8Array(16);
  if (family === 4) {
    const v4 = parseIPv4(address);
    bytes.set([v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff], 12);
    return { bytes, prefix: prefix + 96 };
  }
  parseIPv6(address, bytes);
  return { bytes, prefix };
}

function writeRecord(out: Buffer, offset: number, recordSize: number, left: number, right: number): void {
  const limit = 2 ** recordSize;
  if (left >= limit || right >= limit) throw new Error(`mmdb-writer: record value too large for ${recordSize}-bit records`);
  if (recordSize === 24) {
    out.writeUIntBE(left, offset, 3);
    out.writeUIntBE(right, offset + 3, 3);
  } else if (recordSize === 28) {
    out.writeUIntBE(left & 0xffffff, offset, 3);
    out[offset + 3] = (((left >>> 24) & 0x0f) << 4) | ((right >>> 24) & 0x0f);
    out.writeUIntBE(right & 0xffffff, offset + 4, 3);
  } else {
    out.writeUInt32BE(left, offset);
    out.writeUInt32BE(right, offset + 4);
  }
}

/** Builds a complete MMDB file in memory. */
export function writeMmdb(options: MmdbWriteOptions): Buffer {
  const ipVersion = options.ipVersion ?? 6;
  const recordSize = options.recordSize ?? 28;

  // Data section: each distinct record encoded once; leaves point at its offset.
  const dataChunks: number[][] = [];
  const dataOffsets: number[] = [];
  const indexByEncoding = new Map<string, number>();
  let dataSize = 0;
  const leafFor = (data: MmdbValue): Leaf => {
    const bytes: number[] = [];
    encodeValue(bytes, data);
    const key = Buffer.from(bytes).toString('latin1');
    let index = indexByEncoding.get(key);
    if (index === undefined) {
      index = dataChunks.length;
      indexByEncoding.set(key, index);
      dataChunks.push(bytes);
      dataOffsets.push(dataSize);
      dataSize += bytes.length;
    }
    return { dataIndex: index };
  };

  // Shorter prefixes first, so more specific networks override the blocks they sit in.
  const parsed = options.networks
    .map((n) => ({ ...parseNetwork(n.network, ipVersion), data: n.data }))
    .sort((a, b) => a.prefix - b.prefix);
  const root: TreeNode = { children: [null, null] };
  for (const n of parsed) setRecord(root, n.bytes, n.prefix, leafFor(n.data));

  if (ipVersion === 6 && options.aliasIPv4) {
    const ipv4Root = nodeAt(root, new Uint8Array(16), 96);
    if (ipv4Root) {
      const mapped = new Uint8Array(16);
      mapped[10] = 0xff;
      mapped[11] = 0xff;
      setRecord(root, mapped, 96, ipv4Root);
      setRecord(root, Uint8Array.of(0x20, 0x02, ...new Uint8Array(14)), 16, ipv4Root);
    }
  }

  // Number nodes breadth-first; aliases make the tree a DAG, so number each node once.
  const numbers = new Map<TreeNode, number>();
  const order: TreeNode[] = [root];
  numbers.set(root, 0);
  for (let i = 0; i < order.length; i++) {
    for (const child of order[i].children) {
      if (isNode(child) && !numbers.has(child)) {
        numbers.set(child, order.length);
        order.push(child);
      }
    }
  }
  const nodeCount = order.length;
  const recordValue = (child: Child): number => {
    if (child === null) return nodeCount;
    if (isNode(child)) return numbers.get(child)!;
    return nodeCount + 16 + dataOffsets[child.dataIndex];
  };
  const nodeBytes = recordSize / 4;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  order.forEach((node, i) => writeRecord(tree, i * nodeBytes, recordSize, recordValue(node.children[0]), recordValue(node.children[1])));

  const metadata: number[] = [];
  encodeValue(metadata, {
    binary_format_major_version: new MmdbTyped('uint16', 2),
    binary_format_minor_version: new MmdbTyped('uint16', 0),
    build_epoch: new MmdbTyped('uint64', BigInt(options.buildEpochSeconds ?? Math.floor(Date.now() / 1000))),
    database_type: options.databaseType,
    description: options.description ?? { en: `${options.databaseType} test database built by geosteer` },
    ip_version: new MmdbTyped('uint16', ipVersion),
    languages: options.languages ?? ['en'],
    node_count: new MmdbTyped('uint32', nodeCount),
    record_size: new MmdbTyped('uint16', recordSize),
  });

  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    Buffer.from(dataChunks.flat()),
    Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1'),
    Buffer.from(metadata),
  ]);
}
