/**
 * Allocation-free parsing of textual addresses for the query path. mmdb-lib's own parser
 * does not validate (a malformed address silently becomes 0.0.0.0-ish), so every address is
 * checked here first. Accepts what node:net's isIP accepts (no leading zeros in IPv4 octets;
 * IPv6 with one `::`, an optional trailing dotted quad and an optional `%zone`).
 */

// Reused between calls: parsing is synchronous, so one scratch array cannot be shared mid-use.
const groups = new Uint16Array(8);

/** Dotted quad in s[start..end) as an unsigned 32-bit integer, or -1 when malformed. */
export function parseIPv4Range(s: string, start: number, end: number): number {
  const length = end - start;
  if (length < 7 || length > 15) return -1;
  let acc = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      acc = acc * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero: ambiguous (octal in some parsers)
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return acc * 256 + octet;
}

/** Dotted-quad IPv4 text as an unsigned 32-bit integer, or -1 when it is not one. */
export function parseIPv4(s: string): number {
  return parseIPv4Range(s, 0, s.length);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text (zone ignored) into out[offset..offset+16); false when malformed. */
export function parseIPv6(s: string, out: Uint8Array, offset = 0): boolean {
  let end = s.indexOf('%');
  if (end === -1) end = s.length;
  else if (end === s.length - 1) return false;
  if (end < 2) return false;
  let i = 0;
  let n = 0;
  let gap = -1; // index in groups where `::` stands
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    const start = i;
    let value = 0;
    let h: number;
    while (i < end && (h = hexValue(s.charCodeAt(i))) >= 0) {
      value = value * 16 + h;
      i++;
    }
    if (i < end && s.charCodeAt(i) === 46) {
      // embedded dotted quad: only as the last 32 bits
      if (n > 6) return false;
      const v4 = parseIPv4Range(s, start, end);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (i === start || i - start > 4 || n === 8) return false;
    groups[n++] = value;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i === end) return false; // trailing single colon
    if (s.charCodeAt(i) === 58) {
      if (gap !== -1) return false;
      gap = n;
      i++;
    }
  }
  if (gap === -1 ? n !== 8 : n > 7) return false;
  const tail = gap === -1 ? 0 : n - gap;
  const head = n - tail;
  out.fill(0, offset, offset + 16);
  for (let g = 0; g < head; g++) {
    out[offset + g * 2] = groups[g] >>> 8;
    out[offset + g * 2 + 1] = groups[g] & 0xff;
  }
  for (let g = 0; g < tail; g++) {
    const at = offset + 16 - (tail - g) * 2;
    out[at] = groups[head + g] >>> 8;
    out[at + 1] = groups[head + g] & 0xff;
  }
  return true;
}

/** True when bytes[offset..offset+16) is an IPv4-mapped address (::ffff:0:0/96). */
export function isIPv4Mapped(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 10; i++) if (bytes[offset + i] !== 0) return false;
  return bytes[offset + 10] === 0xff && bytes[offset + 11] === 0xff;
}

/** Reads bytes[offset..offset+4) as an unsigned 32-bit integer. */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

/** Dotted-quad text of an unsigned 32-bit address. */
export function formatIPv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** Uncompressed IPv6 text (eight hex groups) of bytes[offset..offset+16). */
export function formatIPv6(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (let g = 0; g < 8; g++) {
    const word = (bytes[offset + g * 2] << 8) | bytes[offset + g * 2 + 1];
    text += g === 0 ? word.toString(16) : ':' + word.toString(16);
  }
  return text;
}

/** Network mask of `prefix` bits (0..32) as an unsigned 32-bit integer. */
export function ipv4Mask(prefix: number): number {
  // `<< 32` is `<< 0` in JS, hence the special case
  return prefix <= 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
