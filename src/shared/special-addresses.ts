// Address blocks that say nothing about where a client is (RFC 6890 and its registries):
// an ECS option carrying one of them is no client location (RFC 7871 7.1.2 lets the server
// treat such an option as it sees fit). A prefix counts when it lies wholly inside a block.

import { isIPv4Mapped, readUint32 } from './ip-address.js';

/** IPv4 blocks: private (RFC 1918), loopback, link-local, CGNAT (RFC 6598); networks and lengths side by side (no iterator per query). */
const V4_NETWORKS = Uint32Array.of(0x0a000000, 0xac100000, 0xc0a80000, 0x7f000000, 0xa9fe0000, 0x64400000);
const V4_LENGTHS = Uint8Array.of(8, 12, 16, 8, 16, 10);

/** First octets of those blocks: 1 where one starts, so most addresses are ruled out by one load. */
const V4_FIRST = new Uint8Array(256);
for (const net of V4_NETWORKS) V4_FIRST[net >>> 24] = 1;

/** True when the `prefix`-bit IPv4 network at `addr` (unsigned 32-bit) lies inside a non-global block. */
export function isNonGlobalV4(addr: number, prefix: number): boolean {
  if (V4_FIRST[addr >>> 24] === 0) return false;
  for (let i = 0; i < V4_NETWORKS.length; i++) {
    const len = V4_LENGTHS[i];
    if (prefix >= len && addr >>> (32 - len) === V4_NETWORKS[i] >>> (32 - len)) return true;
  }
  return false;
}

/**
 * True when the `prefix`-bit IPv6 network at bytes[offset, +16) is unique-local (fc00::/7),
 * link-local (fe80::/10) or ::1, or is IPv4-mapped (::ffff:a.b.c.d/p, p >= 96) with an IPv4
 * network a.b.c.d/(p - 96) that isNonGlobalV4 rules out.
 */
export function isNonGlobalV6(bytes: Uint8Array, offset: number, prefix: number): boolean {
  if (prefix >= 96 && isIPv4Mapped(bytes, offset)) return isNonGlobalV4(readUint32(bytes, offset + 12), prefix - 96);
  const b0 = bytes[offset];
  if (prefix >= 7 && (b0 & 0xfe) === 0xfc) return true;
  if (prefix >= 10 && b0 === 0xfe && (bytes[offset + 1] & 0xc0) === 0x80) return true;
  if (prefix < 128) return false;
  for (let i = 0; i < 15; i++) if (bytes[offset + i] !== 0) return false;
  return bytes[offset + 15] === 1;
}
