import { isIPv4, isIPv6 } from 'node:net';

// Content is compared in canonical form, never as raw strings: the config may spell an
// address `2001:DB8:1:0:0:0:0:10` while Cloudflare stores `2001:db8:1::10`, a CNAME target
// may carry a trailing dot or capitals, and TXT text may come back with or without quotes.
// Comparing raw strings rewrote such records on every run.

/** RFC 5952 text of an IPv6 address (lower case, zeros compressed), via the WHATWG host serializer. */
function canonicalIpv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The TXT text without its presentation quoting: `"a" "b"` -> `ab`, `"x\"y"` -> `x"y`. */
export function txtText(content: string): string {
  const trimmed = content.trim();
  if (!trimmed.startsWith('"')) return trimmed;
  let out = '';
  let quoted = false;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted && i + 1 < trimmed.length) out += trimmed[++i];
    else if (quoted) out += c;
  }
  return out;
}

/** The form geosteer writes: canonical addresses and names; TXT content as given. */
export function canonicalContent(type: string, content: string): string {
  if (type === 'AAAA' && isIPv6(content)) return canonicalIpv6(content);
  if (type === 'A' && isIPv4(content)) return content;
  if (type === 'CNAME' || type === 'NS') return content.trim().toLowerCase().replace(/\.$/, '');
  return content;
}

/** The key two contents of `type` are compared by (TXT: the unquoted text). */
export function contentKey(type: string, content: string): string {
  return type === 'TXT' ? txtText(content) : canonicalContent(type, content);
}
