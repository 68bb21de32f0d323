import type { Token } from '../zone-file/tokenizer.js';

// Field parsers shared by the record types: numbers, character-strings (RFC 1035 5.1
// escapes \X and \DDD), hex and base64 blocks, TTL-style durations. Each returns the value
// or a message saying what is wrong.

/** A decimal integer in 0..max, written without sign or fraction. */
export function parseUint(text: string, max: number, what: string): number | string {
  if (!/^\d+$/.test(text)) return `expected ${what} as a number 0..${max}, got ${JSON.stringify(text)}`;
  const n = Number(text);
  return n > max ? `expected ${what} of at most ${max}, got ${text}` : n;
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Largest TTL (RFC 2181 8: 2^31 - 1 seconds). */
export const MAX_TTL = 2_147_483_647;

/** Seconds of a TTL written as BIND does: "3600", "1h30m", "2d", "1W" (units s m h d w, any case). */
export function parseTtl(text: string, what = 'a TTL'): number | string {
  const bad = `expected ${what} in seconds or with units like 1h30m (s, m, h, d, w), got ${JSON.stringify(text)}`;
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n > MAX_TTL ? `expected ${what} of at most ${MAX_TTL} seconds (RFC 2181 8), got ${text}` : n;
  }
  if (!/^(\d+[smhdw])+$/i.test(text)) return bad;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/gi)) total += Number(n) * TTL_UNITS[unit.toLowerCase()];
  return total > MAX_TTL ? `expected ${what} of at most ${MAX_TTL} seconds (RFC 2181 8), got ${text} = ${total}` : total;
}

/** Octets of a character-string token with its escapes decoded (RFC 1035 5.1). Non-ASCII text is taken as UTF-8. */
export function decodeEscapes(text: string): Buffer | string {
  if (!text.includes('\\')) return Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '\\') {
      const cp = text.codePointAt(i) ?? 0;
      out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      if (cp > 0xffff) i++;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) return `a backslash at the end of ${JSON.stringify(text)}`;
    if (next >= '0' && next <= '9') {
      const digits = text.slice(i + 1, i + 4);
      if (!/^\d{3}$/.test(digits) || Number(digits) > 255) return `a \\DDD escape needs three digits 000-255 in ${JSON.stringify(text)}`;
      out.push(Number(digits));
      i += 3;
      continue;
    }
    out.push(...Buffer.from(next, 'utf8'));
    i++;
  }
  return Buffer.from(out);
}

/** One character-string (at most 255 octets, RFC 1035 3.3). */
export function parseCharString(token: Token, what: string): Buffer | string {
  const bytes = decodeEscapes(token.text);
  if (typeof bytes === 'string') return bytes;
  if (bytes.length > 255) return `${what} is ${bytes.length} octets; a character-string has at most 255`;
  return bytes;
}

/** Presentation form of a character-string: quoted, with " and \ escaped and other octets outside printable ASCII as \DDD. */
export function presentCharString(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b > 0x7e) out += `\\${String(b).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

/** Octets of hex text, possibly split over several tokens ("01 02 0304"). */
export function parseHex(tokens: readonly Token[], what: string): Buffer | string {
  const hex = tokens.map((t) => t.text).join('');
  if (!/^[0-9a-fA-F]*$/.test(hex)) return `expected ${what} in hex, got ${JSON.stringify(tokens.map((t) => t.text).join(' '))}`;
  if (hex.length % 2 !== 0) return `expected ${what} as whole octets (an even number of hex digits), got ${hex.length} digits`;
  return Buffer.from(hex, 'hex');
}

/** Octets of base64 text (RFC 4648 4, padding required), possibly split over several tokens. */
export function parseBase64(tokens: readonly Token[], what: string): Buffer | string {
  const text = tokens.map((t) => t.text).join('');
  if (text === '' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    return `expected ${what} in base64 (RFC 4648, with padding), got ${JSON.stringify(text)}`;
  }
  return Buffer.from(text, 'base64');
}

/** Exactly `count` tokens, or a message naming the expected form. */
export function expectCount(tokens: readonly Token[], count: number, form: string): string | undefined {
  if (tokens.length === count) return undefined;
  return `expected ${form}, got ${tokens.length === 0 ? 'nothing' : JSON.stringify(tokens.map((t) => t.text).join(' '))}`;
}
