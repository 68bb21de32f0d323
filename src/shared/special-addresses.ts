// Address blocks that say nothing about where a client is (RFC 6890 and its registries):
// an ECS option carrying one of them is no client location (RFC 7871 7.1.2 lets the server
// treat such an option as it sees fit). A prefix counts when it lies wholly inside a block.

/** [network, prefix length] of IPv4 blocks: private (RFC 1918), loopback, link-local, CGNAT (RFC 6598). */
const V4_BLOCKS: readonly (readonly [number, number])[] = [
  [0x0a000000, 8], // 10/8
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
  [0x7f000000, 8], // 127/8
  [0xa9fe0000, 16], // 169.254/16
  [0x64400000, 10], // 100.64/10
];

/** True when the `prefix`-bit IPv4 network at `addr` (unsigned 32-bit) lies inside a non-global block. */
export function isNonGlobalV4(addr: number, prefix: number): boolean {
  for (const [net, len] of V4_BLOCKS) {
    if (prefix >= len && (addr >>> (32 - len)) === (net >>> (32 - len))) return true;
  }
  return false;
}

/** True when the `prefix`-bit IPv6 network at bytes[offset, +16) is unique-local (fc00::/7), link-local (fe80::/10) or ::1. */
export function isNonGlobalV6(bytes: Uint8Array, offset: number, prefix: number): boolean {
  const b0 = bytes[offset];
  if (prefix >= 7 && (b0 & 0xfe) === 0xfc) return true;
  if (prefix >= 10 && b0 === 0xfe && (bytes[offset + 1] & 0xc0) === 0x80) return true;
  if (prefix < 128) return false;
  for (let i = 0; i < 15; i++) if (bytes[offset + i] !== 0) return false;
  return bytes[offset + 15] === 1;
}
