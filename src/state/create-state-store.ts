import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import { parseListenAddress } from '../config/schema.js';
import { MemoryEventLog, type EventLog } from '../events/event-log.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { MemoryStateStore } from './memory-state-store.js';
import type { EventRecorder, RedisConnection } from './redis-state-store.js';
import type { StateStore, StoreHealth } from './state-store.js';

// ioredis is loaded only when state.store is redis: besides its weight, its
// `class VerbatimString extends String` puts String.prototype in dictionary mode, which
// slows every string method call in optimized code (the DNS hot path's included).

/** This instance's id: state.instance_id, else hostname-pid. */
export function instanceIdOf(state: Config['state']): string {
  return state.instance_id ?? `${hostname()}-${process.pid}`;
}

/**
 * The Redis password named by state.password_env, read from `env`; undefined without
 * password_env. Throws naming the variable when it is unset or empty (preflight reports the
 * same message before anything connects).
 */
export function redisPasswordOf(state: Config['state'], env: NodeJS.ProcessEnv): string | undefined {
  if (state.password_env === undefined) return undefined;
  const value = env[state.password_env];
  if (value === undefined || value === '') {
    throw new GeosteerError('CONFIG_INVALID', `state.password_env: environment variable ${state.password_env} is ${value === undefined ? 'not set' : 'empty'}; export the Redis password (requirepass, or the ACL password of the user in url) or remove password_env`);
  }
  return value;
}

/** The Redis connection a validated `state:` section describes, with the password from `env` (state.password_env). */
export function redisConnectionOf(state: Config['state'], env: NodeJS.ProcessEnv): RedisConnection {
  const password = redisPasswordOf(state, env);
  const secret = password !== undefined ? { password } : {};
  if (state.sentinels) return { mode: 'sentinel', sentinels: state.sentinels, name: state.sentinel_name!, url: state.url, ...secret };
  if (state.cluster_nodes) return { mode: 'cluster', nodes: state.cluster_nodes.map((n) => parseListenAddress(n)!), url: state.url, ...secret };
  return { mode: 'standalone', url: state.url!, ...secret };
}

/** The StateStore the config asks for: memory (default) or Redis. Does not wait for Redis. `events` receives state_store_reset(_resolved). */
export async function createStateStore(state: Config['state'], env: NodeJS.ProcessEnv, log: Logger, events?: EventRecorder): Promise<StateStore & StoreHealth> {
  if (state.store === 'memory') return new MemoryStateStore();
  const { RedisStateStore } = await import('./redis-state-store.js');
  return new RedisStateStore({
    connection: redisConnectionOf(state, env),
    keyPrefix: state.key_prefix,
    instanceId: instanceIdOf(state),
    log: log.child({ component: 'state' }),
    events,
    resyncIntervalMs: state.resync_interval,
    reconnectMaxDelayMs: state.reconnect_max_interval,
  });
}

/**
 * The event log the `state:` section asks for: with store redis a capped stream every
 * instance shares (durable as Redis is); with memory a bounded log in this process, like the
 * weights and drains it describes (each event is also a JSON log line).
 */
export async function createEventLog(state: Config['state'], env: NodeJS.ProcessEnv, log: Logger, now: () => number): Promise<EventLog> {
  if (state.store === 'memory') return new MemoryEventLog(10_000, now);
  const { RedisEventLog } = await import('./redis-event-log.js');
  return new RedisEventLog({
    connection: redisConnectionOf(state, env),
    keyPrefix: state.key_prefix,
    instanceId: instanceIdOf(state),
    log: log.child({ component: 'events' }),
    reconnectMaxDelayMs: state.reconnect_max_interval,
    now,
  });
}
