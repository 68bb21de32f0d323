import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { CloudflareSyncConfig, Config } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import { redisConnectionOf } from './create-state-store.js';
import { connectionOptions } from './redis-connection.js';

// The Cloudflare sync's request budget (a token bucket) and per-owner writer lease in
// Redis, so that every instance of a deployment spends one budget and only one of them
// writes. They implement RequestBudget and WriterLease of src/sync/ structurally (state/
// sits inward of sync/ and does not import it). Times are the callers' clocks (epoch ms,
// passed in), so instances must keep NTP time: a skew of s seconds moves a lease's expiry
// by s. Every key has a PX safety TTL, so a crashed instance leaves nothing behind for good.
// While Redis is unreachable, take() and acquire() reject: the sync then does not write at
// all rather than spend an unshared budget or race another writer.

/** Keys: `{prefix}:sync:budget` and `{prefix}:sync:lease:<owner>` (one Cluster slot with the state keys). */
export function syncKeys(prefix: string, ownerId: string): { budget: string; lease: string } {
  return { budget: `{${prefix}}:sync:budget`, lease: `{${prefix}}:sync:lease:${ownerId}` };
}

// ARGV: now, burst, rate per ms, op (take | block | observe | state), a, b, ttl ms.
// Returns strings (Lua numbers would be truncated to integers): wait ms, tokens, blocked-until.
const BUDGET = `
local now, burst, rate, op = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local h = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'blocked')
local tokens, at, blocked = tonumber(h[1]) or burst, tonumber(h[2]) or now, tonumber(h[3]) or 0
if now > at then tokens = math.min(burst, tokens + (now - at) * rate); at = now end
local wait = 0
if op == 'take' then
  if blocked > now then wait = blocked - now
  elseif tokens >= 1 then tokens = tokens - 1
  else wait = math.ceil((1 - tokens) / rate) end
elseif op == 'block' then blocked = math.max(blocked, tonumber(ARGV[5]))
elseif op == 'observe' then
  local r = tonumber(ARGV[5])
  if r < tokens then tokens = r end
  if r <= 0 then blocked = math.max(blocked, now + tonumber(ARGV[6])) end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at), 'blocked', tostring(blocked))
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return { tostring(wait), tostring(tokens), tostring(blocked) }`;

// ARGV: holder, now, ttl. Value "holder|expiresAt"; taken when free, expired or ours.
const ACQUIRE = `
local v = redis.call('GET', KEYS[1])
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local holder, exp = nil, 0
if v then
  local i = string.find(v, '|', 1, true)
  holder, exp = string.sub(v, 1, i - 1), tonumber(string.sub(v, i + 1))
end
if (not v) or holder == ARGV[1] or exp <= now then
  holder, exp = ARGV[1], now + ttl
  redis.call('SET', KEYS[1], holder .. '|' .. exp, 'PX', ttl * 2)
end
return { holder, tostring(exp) }`;

const RELEASE = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then redis.call('DEL', KEYS[1]) end
return 0`;

type Client = (Redis | Cluster) & {
  geosteerBudget(key: string, ...args: string[]): Promise<[string, string, string]>;
  geosteerLeaseAcquire(key: string, holder: string, now: string, ttl: string): Promise<[string, string]>;
  geosteerLeaseRelease(key: string, holder: string): Promise<number>;
};

function connect(state: Config['state'], env: NodeJS.ProcessEnv): Client {
  const c = redisConnectionOf(state, env);
  // a command waits for one reconnect at most, then fails: a sync pass must not hang on Redis
  const common: RedisOptions = { connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(50 * times, 1000), ...connectionOptions(c) };
  const client =
    c.mode === 'cluster'
      ? new Cluster(c.nodes.map((n) => ({ host: n.host, port: n.port })), { redisOptions: common })
      : c.mode === 'sentinel'
        ? new Redis({ ...common, sentinels: c.sentinels.map((s) => ({ host: s.host, port: s.port })), name: c.name })
        : new Redis(c.url, common);
  client.defineCommand('geosteerBudget', { numberOfKeys: 1, lua: BUDGET });
  client.defineCommand('geosteerLeaseAcquire', { numberOfKeys: 1, lua: ACQUIRE });
  client.defineCommand('geosteerLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
  return client as Client;
}

/** Budget parameters (BudgetSettings of src/sync/request-budget.ts). */
interface BucketSettings {
  readonly requests: number;
  readonly windowMs: number;
  readonly burst: number;
}

/** A token bucket in Redis shared by every instance with the same key prefix. */
export class RedisRequestBudget {
  private readonly rate: number;

  constructor(
    private readonly client: Client,
    private readonly key: string,
    private readonly settings: BucketSettings,
    private readonly now: () => number,
  ) {
    this.rate = settings.requests / settings.windowMs;
  }

  private async call(op: string, a = '0', b = '0'): Promise<{ wait: number; tokens: number; blocked: number }> {
    const ttl = String(Math.ceil(this.settings.windowMs * 2));
    const [wait, tokens, blocked] = await this.client.geosteerBudget(this.key, String(this.now()), String(this.settings.burst), String(this.rate), op, a, b, ttl);
    return { wait: Number(wait), tokens: Number(tokens), blocked: Number(blocked) };
  }

  async take(): Promise<number> {
    return (await this.call('take')).wait;
  }

  async blockUntil(until: number): Promise<void> {
    await this.call('block', String(until));
  }

  async observe(remaining: number, resetMs: number): Promise<void> {
    await this.call('observe', String(remaining), String(resetMs));
  }

  async state(): Promise<{ tokens: number; capacity: number; refillPerSecond: number; blockedUntil: number | undefined }> {
    const s = await this.call('state');
    return { tokens: Math.floor(s.tokens), capacity: this.settings.burst, refillPerSecond: this.rate * 1000, blockedUntil: s.blocked > this.now() ? s.blocked : undefined };
  }
}

/** The writer lease of one owner id in Redis. */
export class RedisWriterLease {
  constructor(
    private readonly client: Client,
    private readonly key: string,
    private readonly now: () => number,
  ) {}

  async acquire(holder: string, ttlMs: number): Promise<{ held: boolean; holder: string | undefined; expiresAt: number | undefined }> {
    const [who, expiresAt] = await this.client.geosteerLeaseAcquire(this.key, holder, String(this.now()), String(ttlMs));
    return { held: who === holder, holder: who, expiresAt: Number(expiresAt) };
  }

  async release(holder: string): Promise<void> {
    await this.client.geosteerLeaseRelease(this.key, holder);
  }
}

/** The Redis budget and lease for one deployment; close() ends its own connection. */
export function createRedisSyncCoordination(
  state: Config['state'],
  cloudflare: CloudflareSyncConfig,
  deps: { log: Logger; env: NodeJS.ProcessEnv; now?: () => number },
): { budget: RedisRequestBudget; lease: RedisWriterLease; close(): Promise<void> } {
  const client = connect(state, deps.env);
  const now = deps.now ?? Date.now;
  let lastError = '';
  client.on('error', (err: Error) => {
    if (err.message !== lastError) deps.log.warn({ err: err.message }, 'redis (sync budget and writer lease) unreachable; the Cloudflare sync waits for it');
    lastError = err.message;
  });
  const keys = syncKeys(state.key_prefix, cloudflare.owner_id);
  const b = cloudflare.budget;
  return {
    budget: new RedisRequestBudget(client, keys.budget, { requests: b.requests, windowMs: b.window, burst: b.burst }, now),
    lease: new RedisWriterLease(client, keys.lease, now),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
