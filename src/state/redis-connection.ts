import { Cluster, Redis, type RedisOptions } from 'ioredis';

// The two ioredis connections a RedisStateStore uses, for each way of reaching Redis. The
// writer fails fast while disconnected (no offline queue: a write the operator saw succeed
// must really be in Redis); the subscriber retries forever and resubscribes by itself.

/** How to reach Redis: one server, a Sentinel-managed master, or a Cluster. */
export type RedisConnection =
  | { readonly mode: 'standalone'; readonly url: string }
  | { readonly mode: 'sentinel'; readonly sentinels: readonly { host: string; port: number }[]; readonly name: string; readonly url?: string }
  | { readonly mode: 'cluster'; readonly nodes: readonly { host: string; port: number }[]; readonly url?: string };

/** Lua scripts to define on the writer, by command name (ioredis `scripts`). */
export type ScriptDefinitions = Record<string, { numberOfKeys: number; lua: string }>;

/** Redacts the password of a redis:// URL for messages and logs. */
export function describeRedis(c: RedisConnection): string {
  if (c.mode === 'standalone') return c.url.replace(/\/\/([^@/]*)@/, '//***@');
  if (c.mode === 'sentinel') return `sentinel ${c.name} via ${c.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return `cluster ${c.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/** Credentials, database and TLS from a redis:// or rediss:// URL (sentinel and cluster modes take only these from it). */
export function urlOptions(url: string | undefined): RedisOptions {
  if (!url) return {};
  const u = new URL(url);
  return {
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Opens the writer (with `scripts`) and the subscriber for `c`; both reconnect forever with a back-off capped at `maxDelayMs`. */
export function openRedisClients(c: RedisConnection, scripts: ScriptDefinitions, maxDelayMs: number): { writer: Redis | Cluster; subscriber: Redis | Cluster } {
  // retry forever with a bounded back-off; each attempt is cheap and Redis may be gone for hours
  const backoff = (times: number): number => Math.min(50 * times, maxDelayMs);
  const common: RedisOptions = { retryStrategy: backoff, connectTimeout: 2000, ...urlOptions(c.url) };
  const writer: RedisOptions = { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, scripts };
  const reader: RedisOptions = { ...common, maxRetriesPerRequest: null };
  if (c.mode === 'cluster') {
    const nodes = c.nodes.map((n) => ({ host: n.host, port: n.port }));
    const { retryStrategy, enableOfflineQueue: _w, ...nodeWriter } = writer;
    const { retryStrategy: _r, ...nodeReader } = reader;
    return {
      writer: new Cluster(nodes, { redisOptions: nodeWriter, enableOfflineQueue: false, clusterRetryStrategy: retryStrategy, scripts }),
      subscriber: new Cluster(nodes, { redisOptions: nodeReader, clusterRetryStrategy: retryStrategy }),
    };
  }
  if (c.mode === 'sentinel') {
    const sentinel = { sentinels: c.sentinels.map((s) => ({ host: s.host, port: s.port })), name: c.name, sentinelRetryStrategy: backoff };
    return { writer: new Redis({ ...writer, ...sentinel }), subscriber: new Redis({ ...reader, ...sentinel }) };
  }
  return { writer: new Redis(c.url, writer), subscriber: new Redis(c.url, reader) };
}
