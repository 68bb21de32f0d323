import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import { parseListenAddress } from '../config/schema.js';
import { MemoryEventLog, type EventLog } from '../events/event-log.js';
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

/** The Redis connection a validated `state:` section describes. */
export function redisConnectionOf(state: Config['state']): RedisConnection {
  if (state.sentinels) return { mode: 'sentinel', sentinels: state.sentinels, name: state.sentinel_name!, url: state.url };
  if (state.cluster_nodes) return { mode: 'cluster', nodes: state.cluster_nodes.map((n) => parseListenAddress(n)!), url: state.url };
  return { mode: 'standalone', url: state.url! };
}

/** The StateStore the config asks for: memory (default) or Redis. Does not wait for Redis. `events` receives state_store_reset(_resolved). */
export async function createStateStore(state: Config['state'], log: Logger, events?: EventRecorder): Promise<StateStore & StoreHealth> {
  if (state.store === 'memory') return new MemoryStateStore();
  const { RedisStateStore } = await import('./redis-state-store.js');
  return new RedisStateStore({
    connection: redisConnectionOf(state),
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
export async function createEventLog(state: Config['state'], log: Logger, now: () => number): Promise<EventLog> {
  if (state.store === 'memory') return new MemoryEventLog(10_000, now);
  const { RedisEventLog } = await import('./redis-event-log.js');
  return new RedisEventLog({
    connection: redisConnectionOf(state),
    keyPrefix: state.key_prefix,
    instanceId: instanceIdOf(state),
    log: log.child({ component: 'events' }),
    reconnectMaxDelayMs: state.reconnect_max_interval,
    now,
  });
}
