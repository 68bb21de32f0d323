import { isIPv4, isIPv6 } from 'node:net';
import { normalizeName } from '../shared/dns-name.js';
import { domainNameProblem } from './schema.js';

/** A static record's data, parsed from its presentation form. */
export type RecordData =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'NS'; host: string }
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'TXT'; text: string }
  | { type: 'CAA'; flags: number; tag: string; value: string };

/** A static record with an absolute owner name, ready to be compiled to wire form. */
export interface StaticRecord {
  readonly name: string;
  readonly ttl: number;
  readonly data: RecordData;
}

/** The absolute, lower-case owner name of a record written relative to `zone` ("@", "www", "x.example.com."). */
export function absoluteName(name: string, zone: string): string {
  const trimmed = name.trim();
  if (trimmed === '@') return zone;
  return trimmed.endsWith('.') ? normalizeName(trimmed) : `${normalizeName(trimmed)}.${zone}`;
}

/** True when `name` is `zone` or below it. Both lower case, no trailing dot. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** Parses one rdata value; returns the data or a message saying what is wrong. */
export function parseRecordData(type: RecordData['type'], value: string): RecordData | string {
  const v = value.trim();
  switch (type) {
    case 'A':
      return isIPv4(v) ? { type, address: v } : `expected an IPv4 address, got ${JSON.stringify(value)}`;
    case 'AAAA':
      return isIPv6(v) ? { type, address: v } : `expected an IPv6 address, got ${JSON.stringify(value)}`;
    case 'CNAME':
    case 'NS': {
      const host = normalizeName(v);
      const problem = domainNameProblem(host);
      if (problem) return `${problem}, got ${JSON.stringify(value)}`;
      return type === 'CNAME' ? { type, target: host } : { type, host };
    }
    case 'MX': {
      const m = /^(\d{1,5})\s+(\S+)$/.exec(v);
      const exchange = m ? normalizeName(m[2]) : '';
      if (!m || Number(m[1]) > 65535 || domainNameProblem(exchange)) {
        return `expected "PREFERENCE EXCHANGE" like "10 mail.example.com.", got ${JSON.stringify(value)}`;
      }
      return { type, preference: Number(m[1]), exchange };
    }
    case 'TXT': {
      // Split into 255-octet character-strings when encoded (RFC 1035 3.3.14).
      const size = Buffer.byteLength(value, 'utf8');
      if (size > 4000) return `expected TXT text of at most 4000 bytes, got ${size}`;
      return { type, text: value };
    }
    case 'CAA': {
      // RFC 8659 4.1.1: flags tag "value"
      const m = /^(\d{1,3})\s+([A-Za-z0-9]+)\s+"([^"]*)"$/.exec(v);
      if (!m || Number(m[1]) > 255) return `expected FLAGS TAG "VALUE" like 0 issue "letsencrypt.org", got ${JSON.stringify(value)}`;
      return { type, flags: Number(m[1]), tag: m[2].toLowerCase(), value: m[3] };
    }
  }
}
