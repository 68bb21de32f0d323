import { Cluster, Redis, type RedisOptions } from 'ioredis';

// The two ioredis connections a RedisStateStore uses, for each way of reaching Redis. The
// writer fails fast while disconnected (no offline queue: a write the operator saw succeed
// must really be in Redis); the subscriber retries forever and resubscribes by itself.

/**
 * How to reach Redis: one server, a Sentinel-managed master, or a Cluster. `password` (from
 * state.password_env) is the data nodes' password, as one in the url would be; the url then
 * holds none.
 */
export type RedisConnection = (
  | { readonly mode: 'standalone'; readonly url: string }
  | { readonly mode: 'sentinel'; readonly sentinels: readonly { host: string; port: number }[]; readonly name: string; readonly url?: string }
  | { readonly mode: 'cluster'; readonly nodes: readonly { host: string; port: number }[]; readonly url?: string }
) & { readonly password?: string };

/** Lua scripts to define on the writer, by command name (ioredis `scripts`). */
export type ScriptDefinitions = Record<string, { numberOfKeys: number; lua: string }>;

/** Redacts the password of a redis:// URL for messages and logs. */
export function describeRedis(c: RedisConnection): string {
  if (c.mode === 'standalone') return c.url.replace(/\/\/([^@/]*)@/, '//***@');
  if (c.mode === 'sentinel') return `sentinel ${c.name} via ${c.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return `cluster ${c.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/** Credentials, database and TLS from a redis:// or rediss:// URL (sentinel and cluster modes take only these from it). */
function urlOptions(url: string | undefined): RedisOptions {
  if (!url) return {};
  const u = new URL(url);
  return {
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** The connection options of `c`'s data nodes: the url's credentials, database and TLS, and the password from the environment. */
export function connectionOptions(c: RedisConnection): RedisOptions {
  return { ...urlOptions(c.url), ...(c.password !== undefined ? { password: c.password } : {}) };
}

/** Opens the writer (with `scripts`) and the subscriber for `c`; both reconnect forever with a back-off capped at `maxDelayMs`. */
export function openRedisClients(c: RedisConnection, scripts: ScriptDefinitions, maxDelayMs: number): { writer: Redis | Cluster; subscriber: Redis | Cluster } {
  return { writer: openRedisClient(c, maxDelayMs, { failFast: true, scripts }), subscriber: openRedisClient(c, maxDelayMs, { failFast: false }) };
}

/**
 * One connection for `c`, reconnecting forever with a back-off capped at `maxDelayMs`.
 * failFast: no offline queue and no retries, so a command sent while disconnected fails at
 * once (writes, the event log); otherwise commands wait for the connection (subscriptions).
 */
export function openRedisClient(c: RedisConnection, maxDelayMs: number, opts: { failFast: boolean; scripts?: ScriptDefinitions; commandTimeoutMs?: number }): Redis | Cluster {
  // retry forever with a bounded back-off; each attempt is cheap and Redis may be gone for hours
  const backoff = (times: number): number => Math.min(50 * times, maxDelayMs);
  const options: RedisOptions = {
    retryStrategy: backoff,
    connectTimeout: 2000,
    ...connectionOptions(c),
    ...(opts.failFast ? { enableOfflineQueue: false, maxRetriesPerRequest: 0 } : { maxRetriesPerRequest: null }),
    ...(opts.scripts ? { scripts: opts.scripts } : {}),
    ...(opts.commandTimeoutMs !== undefined ? { commandTimeout: opts.commandTimeoutMs } : {}),
  };
  if (c.mode === 'cluster') {
    const { retryStrategy, enableOfflineQueue: _offline, ...nodeOptions } = options;
    return new Cluster(
      c.nodes.map((n) => ({ host: n.host, port: n.port })),
      { redisOptions: nodeOptions, clusterRetryStrategy: retryStrategy, ...(opts.failFast ? { enableOfflineQueue: false } : {}), ...(opts.scripts ? { scripts: opts.scripts } : {}) },
    );
  }
  if (c.mode === 'sentinel') return new Redis({ ...options, sentinels: c.sentinels.map((s) => ({ host: s.host, port: s.port })), name: c.name, sentinelRetryStrategy: backoff });
  return new Redis(c.url, options);
}
