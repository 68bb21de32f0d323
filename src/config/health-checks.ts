import { isIP } from 'node:net';
import type { CheckConfig, Config, RegionConfig } from './schema.js';

// Turns the health parts of the config (global defaults, per-region check, per-endpoint
// overrides) into one fully resolved check per endpoint. Pure; model.ts reports the
// problems, health/ runs the plan.

/** A check with every field decided: what the prober runs for one endpoint. */
export interface CheckSpec {
  readonly kind: 'http' | 'https' | 'tcp';
  /** Where the check connects; may differ from the answered address. */
  readonly host: string;
  readonly port: number;
  /** Path and query for http(s). */
  readonly path: string;
  readonly method: string;
  /** Host header; undefined lets node send host:port. */
  readonly hostHeader: string | undefined;
  /** TLS SNI; undefined when the target is an IP address and nothing was configured. */
  readonly servername: string | undefined;
  readonly expectStatus: { readonly min: number; readonly max: number };
  readonly bodyContains: string | undefined;
  readonly verifyTls: boolean;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  /** Identical targets share one probe; this is their identity. */
  readonly key: string;
}

/** One endpoint's health input: its check, or undefined when it is not checked (always up). */
export interface EndpointHealthSpec {
  readonly id: string;
  readonly check: CheckSpec | undefined;
}

/** A region's health input. A CNAME region has one pseudo-endpoint named "cname". */
export interface RegionHealthSpec {
  readonly region: string;
  readonly minUp: number;
  readonly endpoints: readonly EndpointHealthSpec[];
}

/** Everything the health monitor runs from. */
export interface HealthPlan {
  readonly regions: ReadonlyMap<string, RegionHealthSpec>;
  readonly holdDownMs: number;
  /** Fraction of the interval each wait varies by. */
  readonly jitter: number;
  readonly startup: 'assume_up' | 'wait_for_checks';
  /** True when at least one endpoint is checked. */
  readonly hasChecks: boolean;
}

/** Endpoint id of a CNAME region's only (pseudo) endpoint. */
export const CNAME_ENDPOINT = 'cname';

function mergeChecks(region: CheckConfig | undefined, endpoint: CheckConfig | undefined): CheckConfig | undefined {
  if (!region) return endpoint;
  if (!endpoint) return region;
  const merged: CheckConfig = { ...region, ...stripUndefined(endpoint) };
  // An endpoint that names its own target does not inherit the region's.
  if (endpoint.url !== undefined) {
    if (endpoint.host === undefined) delete merged.host;
    if (endpoint.port === undefined) delete merged.port;
    if (endpoint.path === undefined) delete merged.path;
  } else if (endpoint.host !== undefined || endpoint.port !== undefined) {
    delete merged.url;
  }
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Resolves one check; returns a problem text (without path) when the combination is unusable. */
function resolveCheck(c: CheckConfig, defaults: Config['health'], address: string | undefined): CheckSpec | string {
  const url = c.url !== undefined ? new URL(c.url) : undefined;
  const scheme = url ? (url.protocol.slice(0, -1) as 'http' | 'https') : undefined;
  const kind = c.type ?? scheme;
  if (kind === undefined) return 'set type (http, https or tcp) or a url';
  if (scheme !== undefined && kind !== 'tcp' && kind !== scheme) return `type ${kind} does not match the url scheme ${scheme}`;
  const host = url ? url.hostname.replace(/^\[(.*)\]$/, '$1') : (c.host ?? address);
  if (host === undefined) return 'a CNAME region has no address to check; set url or host';
  const defaultPort = (k: string | undefined) => (k === 'https' ? 443 : k === 'http' ? 80 : undefined);
  const port = url ? (url.port ? Number(url.port) : defaultPort(scheme)) : (c.port ?? defaultPort(kind));
  if (port === undefined) return 'a tcp check needs a port (or a url)';
  const intervalMs = c.interval ?? defaults.interval;
  const timeoutMs = c.timeout ?? defaults.timeout;
  if (intervalMs <= 0) return 'interval must be more than 0';
  if (timeoutMs <= 0 || timeoutMs > intervalMs) return `timeout (${timeoutMs}ms) must be more than 0 and at most the interval (${intervalMs}ms)`;
  if (kind === 'tcp' && (c.body_contains !== undefined || c.expect_status !== undefined)) return 'body_contains and expect_status apply to http(s) checks, not tcp';
  const path = url ? `${url.pathname}${url.search}` : (c.path ?? '/');
  const hostHeader = c.host_header;
  const nameForSni = hostHeader?.replace(/:\d+$/, '') ?? (isIP(host) === 0 ? host : undefined);
  const spec = {
    kind,
    host,
    port,
    path: kind === 'tcp' ? '' : path,
    method: c.method ?? 'GET',
    hostHeader,
    servername: kind === 'https' ? (c.sni ?? nameForSni) : undefined,
    expectStatus: c.expect_status ?? { min: 200, max: 399 },
    bodyContains: c.body_contains,
    verifyTls: c.verify_tls ?? true,
    intervalMs,
    timeoutMs,
    rise: c.rise ?? defaults.rise,
    fall: c.fall ?? defaults.fall,
  };
  return { ...spec, key: JSON.stringify(spec) };
}

function regionPlan(name: string, region: RegionConfig, defaults: Config['health'], problems: string[]): RegionHealthSpec {
  const path = `regions.${name}`;
  const regionCheck = region.health?.check;
  const targets =
    region.endpoints.length > 0
      ? region.endpoints.map((e, i) => ({ id: e.name ?? e.address, address: e.address as string | undefined, own: e.check, path: `${path}.endpoints[${i}].check` }))
      : [{ id: CNAME_ENDPOINT, address: undefined, own: undefined, path: `${path}.health.check` }];
  const endpoints = targets.map((t) => {
    const merged = mergeChecks(regionCheck, t.own);
    if (!merged) return { id: t.id, check: undefined };
    const check = resolveCheck(merged, defaults, t.address);
    if (typeof check === 'string') {
      // A problem of the region's check shows once, not once per endpoint.
      const problem = `${t.own ? t.path : `${path}.health.check`}: ${check}`;
      if (!problems.includes(problem)) problems.push(problem);
      return { id: t.id, check: undefined };
    }
    return { id: t.id, check };
  });
  const minUp = region.health?.min_up ?? 1;
  if (minUp > endpoints.length) {
    problems.push(`${path}.health.min_up: ${minUp} is more than the region's ${endpoints.length} endpoint(s); lower min_up or add endpoints`);
  }
  return { region: name, minUp, endpoints };
}

/** The resolved health plan for a config, with every problem as `path: what is wrong`. */
export function resolveHealthPlan(config: Config): { plan: HealthPlan; problems: string[] } {
  const problems: string[] = [];
  const regions = new Map<string, RegionHealthSpec>();
  for (const [name, region] of Object.entries(config.regions)) regions.set(name, regionPlan(name, region, config.health, problems));
  const am = config.health.alertmanager;
  if (am && am.token === undefined && am.token_env === undefined) problems.push('health.alertmanager: set token or token_env; the webhook is never served without a bearer token');
  if (am && am.token !== undefined && am.token_env !== undefined) problems.push('health.alertmanager: set token or token_env, not both');
  const hasChecks = [...regions.values()].some((r) => r.endpoints.some((e) => e.check !== undefined));
  return {
    plan: { regions, holdDownMs: config.health.failback_hold_down, jitter: config.health.jitter, startup: config.health.startup, hasChecks },
    problems,
  };
}
