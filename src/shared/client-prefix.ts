import { ipv4Mask, parseIPv4, parseIPv6 } from './ip-address.js';

/** A client address or prefix given by an operator ("1.34.5.7", "1.34.5.0/24", "2001:b000::/48"), masked. */
export type ClientPrefix =
  | { readonly family: 4; readonly v4: number; readonly prefix: number; readonly text: string }
  | { readonly family: 6; readonly v6: Uint8Array; readonly prefix: number; readonly text: string };

/** Parses "IP" or "IP/PREFIX"; returns the masked prefix or a message saying what is wrong. */
export function parseClientPrefix(input: string): ClientPrefix | string {
  const [addr, len, extra] = input.trim().split('/');
  if (extra !== undefined) return `expected IP or IP/PREFIX, got ${JSON.stringify(input)}`;
  const v4 = parseIPv4(addr);
  const max = v4 >= 0 ? 32 : 128;
  const prefix = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return `expected a prefix length 0..${max}, got ${JSON.stringify(input)}`;
  if (v4 >= 0) return { family: 4, v4: (v4 & ipv4Mask(prefix)) >>> 0, prefix, text: addr };
  const v6 = new Uint8Array(16);
  if (!parseIPv6(addr, v6)) return `expected an IPv4 or IPv6 address, got ${JSON.stringify(input)}`;
  for (let i = 0; i < 16; i++) {
    const bits = prefix - i * 8;
    v6[i] = bits >= 8 ? v6[i] : bits <= 0 ? 0 : v6[i] & (0xff << (8 - bits));
  }
  return { family: 6, v6, prefix, text: addr };
}
