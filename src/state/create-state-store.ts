import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import { parseListenAddress } from '../config/schema.js';
import { MemoryEventLog, type EventLog } from '../events/event-log.js';
import type { Logger } from '../shared/logger.js';
import { MemoryStateStore } from './memory-state-store.js';
import { RedisEventLog } from './redis-event-log.js';
import { RedisStateStore, type EventRecorder, type RedisConnection } from './redis-state-store.js';
import type { StateStore, StoreHealth } from './state-store.js';

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
export function createStateStore(state: Config['state'], log: Logger, events?: EventRecorder): StateStore & StoreHealth {
  if (state.store === 'memory') return new MemoryStateStore();
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
export function createEventLog(state: Config['state'], log: Logger, now: () => number): EventLog {
  if (state.store === 'memory') return new MemoryEventLog(10_000, now);
  return new RedisEventLog({
    connection: redisConnectionOf(state),
    keyPrefix: state.key_prefix,
    instanceId: instanceIdOf(state),
    log: log.child({ component: 'events' }),
    reconnectMaxDelayMs: state.reconnect_max_interval,
    now,
  });
}
