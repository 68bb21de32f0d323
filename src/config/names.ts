// Domain names in presentation form (RFC 1035 5.1), checked by RFC 1035 2.3.4 (labels of at
// most 63 octets, names of at most 255 in wire form), RFC 2181 11 (any octet may appear,
// written as an escape), RFC 4343 (case-insensitive) and RFC 4592 (a wildcard is a whole
// leftmost "*" label).
//
// The canonical form used across the config model is lower case, without the trailing
// dot, the root as "", and every octet other than a-z 0-9 - _ / and a leftmost "*" written
// as \DDD. So "." always separates labels and plain string operations (suffix tests,
// dropping the first label) stay label-correct.

/** A parsed name or what is wrong with it. */
export type NameResult = { readonly name: string } | { readonly problem: string };

/** How a name without a trailing dot is read. */
export interface NameContext {
  /** Canonical name that "@" stands for, and that relative names are appended to. */
  readonly origin?: string;
  /** 'origin': RFC 1035 relative names (zone files, YAML owners); 'absolute': a missing trailing dot changes nothing (YAML rdata). */
  readonly relative: 'origin' | 'absolute';
  /** Owner names may start with a wildcard label; names inside rdata may not. */
  readonly wildcard: boolean;
}

const MAX_LABEL = 63;
const MAX_WIRE = 255;
const PLAIN = /^[a-z0-9_/-]$/;

function isPlainByte(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2f;
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 32 : b;
}

/** Canonical text of one label given as octets. */
export function labelText(octets: readonly number[]): string {
  if (octets.length === 1 && octets[0] === 0x2a) return '*';
  let out = '';
  for (const raw of octets) {
    const b = lower(raw);
    out += isPlainByte(b) ? String.fromCharCode(b) : `\\${String(b).padStart(3, '0')}`;
  }
  return out;
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'a space';
  if (ch.charCodeAt(0) > 0x7e) return `${JSON.stringify(ch)} (write internationalised names in their xn-- form)`;
  return JSON.stringify(ch);
}

/** Splits presentation text into label octets; `absolute` when it ended with an unescaped dot. */
function splitLabels(text: string): { labels: number[][]; absolute: boolean } | string {
  const labels: number[][] = [];
  let label: number[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '.') {
      if (label.length === 0) return 'an empty label (two dots in a row, or a leading dot)';
      labels.push(label);
      label = [];
      i++;
      continue;
    }
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return 'a backslash at the end (escape a character as \\X or \\DDD)';
      if (next >= '0' && next <= '9') {
        const digits = text.slice(i + 1, i + 4);
        if (!/^\d{3}$/.test(digits) || Number(digits) > 255) return `a \\DDD escape needs three digits 000-255, got "\\${digits.replace(/\D.*$/, '')}"`;
        label.push(Number(digits));
        i += 4;
        continue;
      }
      if (next.charCodeAt(0) > 0x7e || next.charCodeAt(0) < 0x20) return `a backslash before ${describeChar(next)}; use \\DDD for that octet`;
      label.push(next.charCodeAt(0));
      i += 2;
      continue;
    }
    const lowerCh = ch.toLowerCase();
    if (!PLAIN.test(lowerCh) && ch !== '*') return `${describeChar(ch)}, which must be escaped (\\X or \\DDD) in a name`;
    label.push(ch.charCodeAt(0));
    i++;
  }
  if (label.length > 0) labels.push(label);
  return { labels, absolute: text.endsWith('.') && !escapedAt(text, text.length - 1) };
}

/** True when the character at `pos` is escaped by an odd run of backslashes before it. */
function escapedAt(text: string, pos: number): boolean {
  let n = 0;
  for (let i = pos - 1; i >= 0 && text[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

let lastOrigin = '';
let lastOriginLabels: number[][] = [];

/** Label octets of a canonical name (as produced by parseName); the last origin is cached, zone files append it to most names. */
export function canonicalLabels(name: string): number[][] {
  if (name === '') return [];
  if (name === lastOrigin) return lastOriginLabels;
  const out = splitLabels(name);
  // canonical names always split cleanly
  const labels = typeof out === 'string' ? [] : out.labels;
  lastOrigin = name;
  lastOriginLabels = labels;
  return labels;
}

/** Octets of `name` in uncompressed wire form (RFC 1035 3.1). */
export function wireLength(labels: readonly (readonly number[])[]): number {
  return labels.reduce((n, l) => n + l.length + 1, 1);
}

/**
 * Parses a name in presentation form ("www", "@", "a\.b.example.com.", ".") into its
 * canonical form, or says what is wrong with it.
 */
export function parseName(text: string, ctx: NameContext): NameResult {
  const got = JSON.stringify(text);
  if (text === '') return { problem: 'expected a domain name, got ""' };
  let labels: number[][];
  if (text === '@') {
    if (ctx.origin === undefined) return { problem: '"@" needs an origin ($ORIGIN or the zone name)' };
    return { name: ctx.origin };
  }
  if (text === '.') {
    labels = [];
  } else {
    const split = splitLabels(text);
    if (typeof split === 'string') return { problem: `${split} in ${got}` };
    labels = split.labels;
    if (!split.absolute && ctx.relative === 'origin') {
      if (ctx.origin === undefined) return { problem: `relative name ${got} needs an origin; end it with a dot or set $ORIGIN` };
      labels = [...labels, ...canonicalLabels(ctx.origin)];
    }
  }
  for (const [i, label] of labels.entries()) {
    if (label.length > MAX_LABEL) return { problem: `a label of ${label.length} octets in ${got}; labels have at most ${MAX_LABEL} (RFC 1035 2.3.4)` };
    if (label.includes(0x2a) && (label.length !== 1 || i !== 0 || !ctx.wildcard)) {
      return {
        problem: ctx.wildcard
          ? `"*" in ${got}; a wildcard is a whole leftmost label like *.example.com (RFC 4592)`
          : `"*" in ${got}; a wildcard label is only meaningful as the leftmost label of a record's owner name (RFC 4592)`,
      };
    }
  }
  const size = wireLength(labels);
  if (size > MAX_WIRE) return { problem: `${got} is ${size} octets in wire form; names have at most ${MAX_WIRE} (RFC 1035 2.3.4)` };
  return { name: labels.map(labelText).join('.') };
}

/**
 * Why `name` (canonical) is not a host name, or undefined. Targets of NS, MX, SRV and the
 * SOA MNAME name hosts that resolvers and mail servers look up by address (RFC 2181 10.3,
 * RFC 2782), and those follow the host name rules of RFC 952 / RFC 1123 2.1: letters,
 * digits and hyphens, no hyphen at either end of a label. Owner names are not held to this
 * (underscore labels like _sip._tcp are normal there).
 */
export function hostnameProblem(name: string): string | undefined {
  if (name === '') return 'the root is not a host name';
  for (const label of name.split('.')) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label)) {
      return `label "${label}" of ${name} is not a host name label (letters, digits and inner hyphens, RFC 1123 2.1)`;
    }
  }
  return undefined;
}

/** The parent of a canonical name ("" above a top-level label). */
export function parentName(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** True when `name` is `zone` or below it (both canonical). */
export function isInZone(name: string, zone: string): boolean {
  return zone === '' || name === zone || name.endsWith(`.${zone}`);
}

/** Presentation form of a canonical name: absolute, with its trailing dot. */
export function presentName(name: string): string {
  return `${name}.`;
}

/**
 * The canonical form of a name an operator typed (admin API, explain): surrounding space
 * ignored, a trailing dot optional; undefined when it is no valid name. The one normal form
 * names are compared in: config, zone files and lookups all go through parseName.
 */
export function canonicalName(text: string): string | undefined {
  const parsed = parseName(text.trim(), { relative: 'absolute', wildcard: true });
  return 'name' in parsed ? parsed.name : undefined;
}
