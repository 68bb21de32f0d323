import { isIP } from 'node:net';
import { z } from 'zod';

// The one source of truth for the config file: validation and TypeScript types both come
// from here. Cross-references (regions named in policies, names inside zones, duplicate
// endpoints) are checked in validate.ts, which sees the whole parsed document.

/** "30s", "500ms", "2m", "1h" or a bare number of seconds; parsed to milliseconds. */
export const duration = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 10s, 2m or 1h, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });

/** Milliseconds for a duration, or undefined when it is not one. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

const ttl = z.number().int().min(0).max(2_147_483_647);

/** A domain name in presentation form; trailing dot optional; stored lower case without the dot. */
export const domainName = z.string().transform((value, ctx) => {
  const name = value.trim().toLowerCase().replace(/\.$/, '');
  const problem = domainNameProblem(name);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: `${problem}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return name;
});

/** Why `name` (lower case, no trailing dot) is not a valid DNS name, or undefined. */
export function domainNameProblem(name: string): string | undefined {
  if (name === '') return 'expected a domain name';
  if (name.length > 253) return 'expected a domain name of at most 253 characters';
  for (const label of name.split('.')) {
    if (label.length === 0) return 'expected a domain name without empty labels';
    if (label.length > 63) return 'expected labels of at most 63 characters';
    if (!/^[a-z0-9_*]([a-z0-9_-]*[a-z0-9_])?$/.test(label)) return 'expected letters, digits, hyphens and underscores in each label';
  }
  return undefined;
}

const ipAddress = z.string().refine((v) => isIP(v) !== 0, { error: (iss) => `expected an IPv4 or IPv6 address, got ${JSON.stringify(iss.input)}` });

/** "host:port" or "[v6]:port". */
const listenAddress = z.string().refine((v) => parseListenAddress(v) !== undefined, {
  error: (iss) => `expected host:port or [ipv6]:port with a port 0..65535, got ${JSON.stringify(iss.input)}`,
});

/** Host and port of a listen address, or undefined when malformed. */
export function parseListenAddress(value: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port };
}

const soaSchema = z.strictObject({
  mname: domainName,
  rname: domainName,
  serial: z.number().int().min(0).max(4_294_967_295).default(1),
  refresh: ttl.default(7200),
  retry: ttl.default(3600),
  expire: ttl.default(1_209_600),
  /** Negative-caching TTL (RFC 2308). */
  minimum: ttl.default(60),
});

export const STATIC_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'CAA'] as const;

const staticRecordSchema = z.strictObject({
  /** Relative to the zone ("www", "@" for the apex) unless it ends with a dot. */
  name: z.string().min(1),
  type: z.enum(STATIC_RECORD_TYPES),
  ttl: ttl.optional(),
  /** Presentation form of the rdata, e.g. "10 mail.example.com." for MX. */
  value: z.union([z.string(), z.array(z.string()).min(1)]),
});

const zoneSchema = z.strictObject({
  name: domainName,
  /** Default TTL of the zone's static records, SOA and NS. */
  ttl: ttl.default(3600),
  soa: soaSchema,
  ns: z.array(domainName).min(1),
  records: z.array(staticRecordSchema).default([]),
});

const endpointSchema = z.strictObject({
  /** Stable id for health state and metrics; defaults to the address. */
  name: z.string().regex(/^[A-Za-z0-9_.:-]+$/).optional(),
  address: ipAddress,
});

const regionSchema = z.strictObject({
  endpoints: z.array(endpointSchema).default([]),
  /** Answer a CNAME to this target instead of addresses. */
  cname: domainName.optional(),
  /** Traffic weight 0..100; 0 takes the region out of rotation. Changeable at runtime. */
  weight: z.number().int().min(0).max(100).default(100),
  drain: z.boolean().default(false),
});

/** A tier: one region by name, or a weighted group `{group: {region: share, ...}}`. */
const tierSchema = z.union([
  z.string(),
  z.strictObject({
    group: z.union([
      z.record(z.string(), z.number().int().min(1).max(1000)),
      z.array(z.string()).min(1),
    ]),
  }),
]);

const ruleSchema = z.strictObject({
  countries: z.array(z.string()).min(1).optional(),
  continents: z.array(z.string()).min(1).optional(),
  tiers: z.array(tierSchema).min(1),
});

const steeredNameSchema = z.strictObject({
  name: domainName,
  ttl: ttl.default(30),
  /** At most this many endpoints in one answer. */
  max_answers: z.number().int().min(1).max(64).default(8),
  rules: z.array(ruleSchema).default([]),
  default: z.array(tierSchema).min(1),
});

const dnsSchema = z.strictObject({
  listen: z.array(listenAddress).min(1).default(['127.0.0.1:5353', '[::1]:5353']),
  /** Largest UDP response we send, whatever the client offers (RFC 6891 6.2.5; 1232 avoids fragmentation). */
  max_udp_payload: z.number().int().min(512).max(65535).default(1232),
  /** DNS worker processes sharing the listen sockets (node:cluster); default: one per core. 1 = serve in the main process. */
  workers: z.number().int().min(1).max(256).optional(),
  tcp: z
    .strictObject({
      max_connections: z.number().int().min(1).default(1000),
      idle_timeout: duration.default(10_000),
      max_queries_per_connection: z.number().int().min(1).default(1000),
    })
    .prefault({}),
  /** Response rate limiting per client /24 (IPv4) or /56 (IPv6), UDP only; off by default. */
  rrl: z
    .strictObject({
      enabled: z.boolean().default(false),
      responses_per_second: z.number().int().min(1).default(20),
      /** Every slip-th limited response is sent truncated (TC) instead of dropped; 0 drops all. */
      slip: z.number().int().min(0).max(10).default(2),
    })
    .prefault({}),
});

const geoipSchema = z.strictObject({
  /** Path to an mmdb file, or "bundled" for the GeoLite2 country data shipped with geosteer. */
  database: z.string().min(1).default('bundled'),
  reload_check_interval: duration.default(60_000),
});

const stateSchema = z.strictObject({
  store: z.enum(['memory']).default('memory'),
});

const logSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export const configSchema = z.strictObject({
  dns: dnsSchema.prefault({}),
  geoip: geoipSchema.prefault({}),
  state: stateSchema.prefault({}),
  log: logSchema.prefault({}),
  zones: z.array(zoneSchema).min(1),
  regions: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a region name of lower-case letters, digits, - and _'), regionSchema),
  names: z.array(steeredNameSchema).default([]),
});

/** A validated config file. */
export type Config = z.output<typeof configSchema>;
export type ZoneConfig = Config['zones'][number];
export type StaticRecordConfig = ZoneConfig['records'][number];
export type RegionConfig = Config['regions'][string];
export type SteeredNameConfig = Config['names'][number];
export type RuleConfig = SteeredNameConfig['rules'][number];
export type TierConfig = RuleConfig['tiers'][number];
