import { isIP } from 'node:net';
import { z } from 'zod';
import { hostnameProblem, parseName } from './names.js';

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

function nameSchema(wildcard: boolean) {
  return z.string().transform((value, ctx) => {
    const parsed = parseName(value.trim(), { relative: 'absolute', wildcard });
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed.name;
  });
}

/** A domain name in presentation form (escapes allowed, trailing dot optional); stored canonical: lower case, no trailing dot. */
export const domainName = nameSchema(false);

/** A steered name: a domain name, or a wildcard `*.<name>` that answers every name below it that has no node of its own (RFC 4592). */
const steeredName = nameSchema(true);

/** A domain name that names a host (name servers, the SOA MNAME): letters, digits and hyphens (see hostnameProblem). */
const hostName = domainName.transform((name, ctx) => {
  const problem = hostnameProblem(name);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return name;
});

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
  mname: hostName,
  rname: domainName,
  serial: z.number().int().min(0).max(4_294_967_295).default(1),
  refresh: ttl.default(7200),
  retry: ttl.default(3600),
  expire: ttl.default(1_209_600),
  /** Negative-caching TTL (RFC 2308). */
  minimum: ttl.default(60),
});

/** Record types with a value syntax (src/config/README.md has one example each); others as TYPEnnn with RFC 3597 \\# data. */
export const STATIC_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'CAA', 'SRV', 'PTR', 'NAPTR', 'SVCB', 'HTTPS', 'DS'] as const;

const recordType = z.string().refine((t) => (STATIC_RECORD_TYPES as readonly string[]).includes(t) || /^TYPE\d{1,5}$/.test(t), {
  error: (iss) => `expected one of ${STATIC_RECORD_TYPES.join(', ')} or TYPEnnn (RFC 3597), got ${JSON.stringify(iss.input)}`,
});

const staticRecordSchema = z.strictObject({
  /** Relative to the zone ("www", "@" for the apex) unless it ends with a dot. */
  name: z.string().min(1),
  type: recordType,
  ttl: ttl.optional(),
  /** Presentation form of the rdata, e.g. "10 mail.example.com." for MX. */
  value: z.union([z.string(), z.array(z.string()).min(1)]),
});

const zoneSchema = z.strictObject({
  name: domainName,
  /** Default TTL of the zone's YAML records, SOA and NS. */
  ttl: ttl.default(3600),
  /** RFC 1035 master file with the zone's static records, relative to the config file's folder. */
  file: z.string().min(1).optional(),
  /** Required unless the zone file has the SOA; never both. */
  soa: soaSchema.optional(),
  /** Required unless the zone file has the apex NS records; never both. */
  ns: z.array(hostName).min(1).optional(),
  records: z.array(staticRecordSchema).default([]),
});

/** "200", "200-399": an inclusive HTTP status range, parsed to {min, max}. */
const statusRange = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(String(value));
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || min < 100 || max > 599 || min > max) {
    ctx.addIssue({ code: 'custom', message: `expected a status or range like "200" or "200-399" (100..599, low first), got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return { min, max };
});

/** An http(s) check URL; the host is where the check connects, which may differ from the answered address. */
const checkUrl = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  },
  { error: (iss) => `expected an http:// or https:// URL like http://10.0.0.1:8080/healthz, got ${JSON.stringify(iss.input)}` },
);

/** A health check, or the fields of one that override the region's check (all optional here; model.ts checks the combination). */
const checkSchema = z.strictObject({
  /** http | https | tcp; inferred from the url scheme when a url is given. */
  type: z.enum(['http', 'https', 'tcp']).optional(),
  /** Full target for http(s) checks; otherwise host (default: the endpoint address), port and path. */
  url: checkUrl.optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  path: z.string().startsWith('/').optional(),
  method: z.enum(['GET', 'HEAD', 'POST', 'OPTIONS']).optional(),
  /** Host header sent with http(s) checks (default: the url host). */
  host_header: z.string().min(1).optional(),
  /** TLS server name for https checks (default: host_header, else the url host when it is a name). */
  sni: z.string().min(1).optional(),
  expect_status: statusRange.optional(),
  /** The response body must contain this text (the first 64 KiB are read). */
  body_contains: z.string().min(1).optional(),
  /** Verify the server certificate; on unless explicitly false. */
  verify_tls: z.boolean().optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  rise: z.number().int().min(1).max(100).optional(),
  fall: z.number().int().min(1).max(100).optional(),
});

/** Per-region health: the check every endpoint gets (unless it overrides) and how many must be up. */
const regionHealthSchema = z.strictObject({
  check: checkSchema.optional(),
  /** The region is up while at least this many endpoints are up. */
  min_up: z.number().int().min(1).default(1),
});

const endpointSchema = z.strictObject({
  /** Stable id for health state and metrics; defaults to the address. */
  name: z.string().regex(/^[A-Za-z0-9_.:-]+$/).optional(),
  address: ipAddress,
  /** Overrides fields of the region's check for this endpoint (or is its only check). */
  check: checkSchema.optional(),
});

const regionSchema = z.strictObject({
  endpoints: z.array(endpointSchema).default([]),
  /** Answer a CNAME to this target instead of addresses. */
  cname: domainName.optional(),
  /** Traffic weight 0..100; 0 takes the region out of rotation. Changeable at runtime. */
  weight: z.number().int().min(0).max(100).default(100),
  drain: z.boolean().default(false),
  /** Active checks; a region without checks is always up (alerts can still mark it down). */
  health: regionHealthSchema.optional(),
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
  name: steeredName,
  ttl: ttl.default(30),
  /** At most this many endpoints in one answer. */
  max_answers: z.number().int().min(1).max(64).default(8),
  rules: z.array(ruleSchema).default([]),
  default: z.array(tierSchema).min(1),
});

/** Longest dns.nsid in octets. */
export const MAX_NSID_OCTETS = 128;

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
  /**
   * NSID (RFC 5001) and the CHAOS id.server / hostname.bind answer: this text, or the machine's
   * host name for `hostname`; off when absent. At most 128 octets, so a truncated reply with
   * every option still fits 512 octets.
   */
  nsid: z
    .string()
    .min(1)
    .refine((v) => Buffer.byteLength(v) <= MAX_NSID_OCTETS, { error: (iss) => `expected at most ${MAX_NSID_OCTETS} octets, got ${Buffer.byteLength(String(iss.input))}` })
    .optional(),
  /** The CHAOS version.bind answer; absent: such queries are REFUSED. */
  version: z.string().min(1).max(255).optional(),
  /** DNS cookies (RFC 7873) with interoperable server cookies (RFC 9018); see src/dns/README.md. */
  cookies: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Environment variable holding the secret: 32 hex digits, or several separated by spaces or commas (the first makes cookies, all are accepted). */
      secret_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
      /** File holding the secret, in the same form as secret_env's value. */
      secret_file: z.string().min(1).optional(),
      /** Lifetime of the generated secret (no secret_env or secret_file); the previous one is still accepted. */
      rotation: duration.default(26 * 3_600_000).refine((ms) => ms >= 3_600_000, { error: 'expected at least 1h, the lifetime of a server cookie (RFC 9018 4.3)' }),
      /** UDP queries with a client cookie but no valid server cookie get BADCOOKIE instead of an answer (RFC 7873 5.2.3). */
      require: z.boolean().default(false),
    })
    .refine((c) => c.secret_env === undefined || c.secret_file === undefined, { error: 'give secret_env or secret_file, not both' })
    .prefault({}),
  ecs: z
    .strictObject({
      /**
       * An ECS address that is private, loopback, link-local, CGNAT or unique-local says nothing
       * about where the client is: `source_address` locates by the resolver's own address instead
       * (scope 0), `as_is` looks the address up anyway.
       */
      private: z.enum(['source_address', 'as_is']).default('source_address'),
      /** Answer with a scope longer than the source prefix when that prefix spans networks with different answers (RFC 7871 7.2.1). */
      scope_beyond_source: z.boolean().default(false),
    })
    .prefault({}),
});

const geoipSchema = z.strictObject({
  /** Path to an mmdb file, or "bundled" for the GeoLite2 country data shipped with geosteer. */
  database: z.string().min(1).default('bundled'),
  reload_check_interval: duration.default(60_000),
});

const reloadSchema = z.strictObject({
  /** Reload when the config file, a zone file or an $INCLUDE changes (as SIGHUP does). */
  watch_files: z.boolean().default(true),
  /** How often each of those files is checked. */
  check_interval: duration.pipe(z.number().min(100, 'expected at least 100ms: every file is checked this often')).default(5_000),
});

const hostPort = z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });

/** "host:port" of a Redis Cluster seed node. */
const clusterNode = z.string().refine((v) => parseListenAddress(v) !== undefined, {
  error: (iss) => `expected host:port of a cluster node, got ${JSON.stringify(iss.input)}`,
});

const REDIS_ONLY_KEYS = ['url', 'password_env', 'sentinels', 'sentinel_name', 'cluster_nodes', 'quorum'] as const;

const stateSchema = z
  .strictObject({
    store: z.enum(['memory', 'redis']).default('memory'),
    /** redis://[user:password@]host:port[/db]; with sentinels or cluster_nodes only credentials and db are used. */
    url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').optional(),
    /** Name of the environment variable holding the Redis password (standalone, the Sentinel master, every Cluster node), so it stays out of the config file. */
    password_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
    sentinels: z.array(hostPort).min(1).optional(),
    /** The master name the sentinels monitor. */
    sentinel_name: z.string().min(1).optional(),
    cluster_nodes: z.array(clusterNode).min(1).optional(),
    /** Every Redis key and channel starts with `{key_prefix}:`; instances sharing state share it. */
    key_prefix: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected letters, digits, _ . : -').default('geosteer'),
    /** This instance's name in shared health observations; default hostname-pid. */
    instance_id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected letters, digits, _ . : -').optional(),
    /** Instances that must see a target down for it to be down; default a majority of live instances. */
    quorum: z.number().int().min(1).optional(),
    observation_ttl: duration.default(3000),
    heartbeat_interval: duration.default(1000),
    resync_interval: duration.default(5000),
    /** Longest wait between reconnect attempts after Redis went away. */
    reconnect_max_interval: duration.default(1000),
    /** report: /readyz shows the store's health and stays ready (DNS answers from the last state); gate: not ready while the store is not writable. */
    readiness: z.enum(['report', 'gate']).default('report'),
  })
  .superRefine((s, ctx) => {
    if (s.store === 'memory') {
      for (const key of REDIS_ONLY_KEYS) {
        if (s[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only used with store: redis; set store: redis or remove it' });
      }
      return;
    }
    const modes = [s.sentinels && 'sentinels', s.cluster_nodes && 'cluster_nodes'].filter(Boolean);
    if (modes.length > 1) ctx.addIssue({ code: 'custom', path: ['cluster_nodes'], message: 'use either sentinels or cluster_nodes, not both' });
    if (modes.length === 0 && s.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'store: redis needs url (or sentinels + sentinel_name, or cluster_nodes), e.g. url: redis://127.0.0.1:6379' });
    if (s.sentinels && !s.sentinel_name) ctx.addIssue({ code: 'custom', path: ['sentinel_name'], message: 'sentinels need sentinel_name, the master name they monitor (e.g. mymaster)' });
    if (s.sentinel_name && !s.sentinels) ctx.addIssue({ code: 'custom', path: ['sentinels'], message: 'sentinel_name needs sentinels: [{host, port}]' });
    if (s.password_env !== undefined && s.url !== undefined && URL.canParse(s.url) && new URL(s.url).password !== '') {
      ctx.addIssue({ code: 'custom', path: ['password_env'], message: 'the url holds a password too; keep it in one place: remove it from url (redis://user@host:port keeps the user name)' });
    }
    if (s.observation_ttl <= s.heartbeat_interval) ctx.addIssue({ code: 'custom', path: ['observation_ttl'], message: `must be longer than heartbeat_interval (${s.heartbeat_interval} ms), e.g. three heartbeats` });
  });

/** A size in bytes: a whole number, or "512KiB", "4MiB" (binary units). */
const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseByteSize(value);
  if (bytes === undefined || bytes < 1024 || bytes > 256 * 1024 * 1024) {
    ctx.addIssue({ code: 'custom', message: `expected a size 1KiB..256MiB as bytes or like 512KiB, 4MiB, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return bytes;
});

/** Bytes for 4096, "512KiB", "4MiB"; undefined when it is not a size. */
export function parseByteSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  const m = /^(\d+)(B|KiB|MiB)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * { B: 1, KiB: 1024, MiB: 1024 * 1024 }[m[2] as 'B' | 'KiB' | 'MiB'];
}

/** Default health.alertmanager.max_body: 4 MiB holds about 5000 alerts as Alertmanager sends them. */
export const ALERTMANAGER_MAX_BODY = 4 * 1024 * 1024;

const alertmanagerSchema = z.strictObject({
  /** Bearer token Alertmanager sends (http_config.authorization.credentials); or token_env. */
  token: z.string().min(16).optional(),
  /** Name of the environment variable holding the token. */
  token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  /** Alert label naming the region (or endpoint, or "region/endpoint") to mark down. */
  label: z.string().min(1).default('region'),
  /** A firing alert not re-sent for this long stops counting (covers a lost "resolved"). */
  max_age: duration.default(3_600_000),
  /** Own listener for POST /v1/alerts/alertmanager (the admin server serves it too). */
  listen: listenAddress.optional(),
  /** Largest webhook body accepted (both mounts); Alertmanager sends every alert of a group in one post. */
  max_body: byteSize.default(ALERTMANAGER_MAX_BODY),
});

const healthSchema = z.strictObject({
  interval: duration.default(10_000),
  timeout: duration.default(2_000),
  /** Good checks in a row before a down endpoint is up. */
  rise: z.number().int().min(1).max(100).default(2),
  /** Failed checks in a row before an up endpoint is down. */
  fall: z.number().int().min(1).max(100).default(3),
  /** Each wait is the interval +/- this fraction, so checks do not fire in lockstep. */
  jitter: z.number().min(0).max(0.5).default(0.1),
  /** How long a recovered region must stay up before it takes traffic again. */
  failback_hold_down: duration.default(60_000),
  /** assume_up: answer at once, endpoints up until checks say otherwise; wait_for_checks: first round of checks decides before DNS listens. */
  startup: z.enum(['assume_up', 'wait_for_checks']).default('assume_up'),
  alertmanager: alertmanagerSchema.optional(),
});

const logSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/** `key=value` selecting the objects of a region by label or annotation. */
const selectorText = z.string().regex(/^[A-Za-z0-9_./-]+=[A-Za-z0-9_.-]*$/, 'expected key=value, e.g. geosteer.io/region=tokyo');

/** The kinds a region's load-balancer addresses can come from. */
const KUBERNETES_RESOURCES = ['ingress', 'service', 'gateway'] as const;

const kubernetesRegionSourceSchema = z.strictObject({
  /** Path of the kubeconfig file of this region's cluster. */
  kubeconfig: z.string().min(1),
  /** Context in that file; its current-context when absent. */
  context: z.string().min(1).optional(),
  /** Only this namespace (every watch); all namespaces when absent. */
  namespace: z.string().min(1).optional(),
  /** Which objects belong to the region; default label geosteer.io/region=<region>. */
  selector: z
    .strictObject({ label: selectorText.optional(), annotation: selectorText.optional() })
    .superRefine((s, ctx) => {
      if ((s.label === undefined) === (s.annotation === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of label or annotation' });
    })
    .optional(),
  /** Ingresses (networking.k8s.io/v1), Services of type LoadBalancer (v1), Gateways (gateway.networking.k8s.io/v1). */
  resources: z
    .array(z.enum(KUBERNETES_RESOURCES))
    .min(1, 'expected at least one of ingress, service, gateway')
    .default(['ingress'])
    .superRefine((list, ctx) => {
      list.forEach((r, i) => {
        if (list.indexOf(r) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${r} is listed twice` });
      });
    }),
  /** Readiness of the region's backing Services from EndpointSlices; absent: off. */
  readiness: z
    .strictObject({
      /** all: every backing Service needs a ready endpoint; any: one is enough. */
      require: z.enum(['all', 'any']).default('all'),
      /** A failing API keeps the last readiness this long, then it is unknown. */
      unknown_after: duration.default(60_000),
    })
    .optional(),
});

const sourcesSchema = z.strictObject({
  kubernetes: z
    .strictObject({
      regions: z.record(z.string(), kubernetesRegionSourceSchema),
      /** Longest wait between reconnects after the API server failed. */
      max_retry_interval: duration.default(30_000),
    })
    .optional(),
});

const syncNameSchema = z.strictObject({
  /** A steered name (names[].name). */
  name: domainName,
  /** Publish <region>.<name> -> that region's healthy addresses for every region the name uses. */
  per_region: z.boolean().default(true),
  /** Publish <name> itself -> the current failover choice of the default rule. */
  failover_record: z.boolean().default(false),
  /** 1 (automatic) or 60..86400 seconds. */
  ttl: z.number().int().default(60),
  proxied: z.boolean().default(false),
});

const cloudflareSyncSchema = z.strictObject({
  zone_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'expected the zone id from the Cloudflare dashboard (32 hex characters)'),
  /** The Cloudflare zone's name; records outside it are refused at load time. */
  zone_name: domainName.optional(),
  /** Environment variable holding the API token (Zone.DNS edit on this zone). */
  api_token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('CLOUDFLARE_API_TOKEN'),
  /** API base URL; the SDK's default (https://api.cloudflare.com/client/v4) when absent. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Written into ownership TXT records and comments; one per geosteer deployment. */
  owner_id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1..64 letters, digits, ".", "_" or "-"'),
  policy: z.enum(['sync', 'upsert-only']).default('sync'),
  /** Log the plan and change nothing. */
  dry_run: z.boolean().default(false),
  /** Full sync at least this often, changes or not. */
  interval: duration.default(300_000),
  /** Wait this long after a snapshot change before syncing (changes in between fold in). */
  debounce: duration.default(2000),
  names: z.array(syncNameSchema).default([]),
  /** Publish NS (and glue) records delegating the geosteer zones below zone_name. */
  delegation_ns: z.boolean().default(false),
  /** Cloudflare API requests per window, shared by every instance on this token (through Redis with state.store: redis). */
  budget: z
    .strictObject({
      /** Requests per window; Cloudflare's own limit is 1200 per 5 minutes for the whole account. */
      requests: z.number().int().min(1).default(600),
      window: duration.default(300_000),
      /** Most requests in a row before pacing starts. */
      burst: z.number().int().min(1).default(60),
      /** Longest pause inside a run; a longer wait ends the run and the next one starts when the budget allows. */
      max_wait: duration.default(30_000),
    })
    .prefault({}),
  /** Changes per batch request: 200 on the Free plan, up to 3500 on paid plans. */
  batch_size: z.number().int().min(1).max(3500).default(200),
  /** First retry after a failed or refused run; doubles per failure up to max_backoff. */
  retry_delay: duration.default(30_000),
  max_backoff: duration.default(600_000),
  /** How long the writer lease of this owner_id lasts without renewal (renewed every third of it). */
  lease_ttl: duration.default(30_000),
});

const syncSchema = z.strictObject({
  cloudflare: cloudflareSyncSchema.optional(),
});

const adminTokenSchema = z
  .strictObject({
    /** Who holds it; written into every audit entry. */
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a token name of letters, digits, _ . and -'),
    scope: z.enum(['read', 'write']),
    /** The secret inline (test setups); prefer token_env. */
    token: z.string().min(16, 'expected a token of at least 16 characters').optional(),
    /** Name of the environment variable holding the secret. */
    token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.token === undefined) === (t.token_env === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of token or token_env' });
  });

/** Endpoints of the admin server that can be served without a token. */
export const ADMIN_OPEN_ENDPOINTS = ['metrics', 'healthz', 'readyz'] as const;

/** An IPv4/IPv6 address or CIDR block, e.g. 10.0.0.0/8. */
const addressOrBlock = z.string().refine((v) => {
  const [addr, len, extra] = v.split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) return false;
  return len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= (family === 4 ? 32 : 128));
}, { error: (iss) => `expected an IP address or CIDR block like 10.0.0.0/8, got ${JSON.stringify(iss.input)}` });

const adminClientCertificateSchema = z.strictObject({
  /** Who the certificate's holder is in audit entries (like a token name). */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a name of letters, digits, _ . and -'),
  scope: z.enum(['read', 'write']),
  /** The subject common name (CN) of a certificate signed by client_ca_file. */
  common_name: z.string().min(1).max(64),
});

const adminTlsSchema = z
  .strictObject({
    /** PEM certificate chain the admin server presents; re-read when the file changes. */
    cert_file: z.string().min(1),
    /** PEM private key of cert_file. */
    key_file: z.string().min(1),
    /** PEM CA bundle: clients may present a certificate signed by it (client_certificates says who it is). */
    client_ca_file: z.string().min(1).optional(),
    /** Verified client certificates that act like tokens. */
    client_certificates: z.array(adminClientCertificateSchema).default([]),
  })
  .superRefine((t, ctx) => {
    if (t.client_certificates.length > 0 && t.client_ca_file === undefined) ctx.addIssue({ code: 'custom', path: ['client_certificates'], message: 'needs client_ca_file, the CA that signs those certificates' });
  });

const adminSchema = z
  .strictObject({
    listen: listenAddress.default('127.0.0.1:8053'),
    tokens: z.array(adminTokenSchema).default([]),
    /** Served without a token (Prometheus scrapes, load-balancer probes). */
    open_endpoints: z.array(z.enum(ADMIN_OPEN_ENDPOINTS)).default(['healthz', 'readyz']),
    /** HTTPS for the admin API, optionally with client certificates. */
    tls: adminTlsSchema.optional(),
    /** A second, plain-HTTP listener serving only /healthz, /readyz and /metrics, without a token (probes, Prometheus). */
    open_listen: listenAddress.optional(),
    /** Proxies whose X-Forwarded-For is believed for the client address in audit entries; default none. */
    trusted_proxies: z.array(addressOrBlock).default([]),
  })
  .superRefine((a, ctx) => {
    // Token names and client-certificate names share one namespace: both are "who" in audit entries.
    const seen = new Set<string>();
    const check = (name: string, path: (string | number)[]) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path, message: `name ${JSON.stringify(name)} is used twice (tokens and client certificates); audit entries need unique names` });
      seen.add(name);
    };
    a.tokens.forEach((t, i) => check(t.name, ['tokens', i, 'name']));
    a.tls?.client_certificates.forEach((c, i) => check(c.name, ['tls', 'client_certificates', i, 'name']));
  });

export const configSchema = z.strictObject({
  dns: dnsSchema.prefault({}),
  geoip: geoipSchema.prefault({}),
  reload: reloadSchema.prefault({}),
  state: stateSchema.prefault({}),
  log: logSchema.prefault({}),
  health: healthSchema.prefault({}),
  zones: z.array(zoneSchema).min(1),
  regions: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a region name of lower-case letters, digits, - and _'), regionSchema),
  names: z.array(steeredNameSchema).default([]),
  sources: sourcesSchema.optional(),
  sync: syncSchema.optional(),
  /** The admin HTTP API and /metrics; absent: no admin server. */
  admin: adminSchema.optional(),
});

/** A validated config file. */
export type Config = z.output<typeof configSchema>;
export type ZoneConfig = Config['zones'][number];
export type StaticRecordConfig = ZoneConfig['records'][number];
export type RegionConfig = Config['regions'][string];
export type SteeredNameConfig = Config['names'][number];
export type RuleConfig = SteeredNameConfig['rules'][number];
export type TierConfig = RuleConfig['tiers'][number];
export type HealthConfig = Config['health'];
export type DnsConfig = Config['dns'];
export type CheckConfig = NonNullable<RegionConfig['endpoints'][number]['check']>;
export type SourcesConfig = NonNullable<Config['sources']>;
export type KubernetesRegionSourceConfig = NonNullable<SourcesConfig['kubernetes']>['regions'][string];
export type CloudflareSyncConfig = NonNullable<NonNullable<Config['sync']>['cloudflare']>;
export type SyncNameConfig = CloudflareSyncConfig['names'][number];
export type AdminConfig = NonNullable<Config['admin']>;
export type AdminTokenConfig = AdminConfig['tokens'][number];
export type AdminTlsConfig = NonNullable<AdminConfig['tls']>;
