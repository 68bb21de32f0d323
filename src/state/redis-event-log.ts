import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_PAGE, matchesQuery, MemoryEventLog, type EventListener, type EventLog, type EventPage, type EventQuery, type GeosteerEvent, type NewEvent } from '../events/event-log.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { describeRedis, openRedisClient, type RedisConnection } from './redis-connection.js';
import { redisKeys } from './redis-keys.js';

/** Options of a RedisEventLog. */
export interface RedisEventLogOptions {
  /** The store's connection (redisConnectionOf(config.state)); the log opens its own client. */
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
  /** Written into every event as `instance`. */
  readonly instanceId: string;
  readonly log: Logger;
  /** Entries the stream keeps (XADD MAXLEN ~, so Redis trims in whole nodes: a little more). */
  readonly capacity?: number;
  /** Events kept for writing while Redis is unreachable; past it the oldest are dropped (and counted). */
  readonly pendingMax?: number;
  readonly reconnectMaxDelayMs?: number;
  /** How long a read or write may wait for Redis. */
  readonly commandTimeoutMs?: number;
  readonly now?: () => number;
}

/** Stream entries one XREVRANGE reads while a page is being filled. */
const SCAN_BATCH = 500;
/** Events written per round trip. */
const WRITE_BATCH = 100;

/**
 * The shared event log: a capped Redis stream (`{prefix}:events`) every instance appends to,
 * so audit entries and every instance's transitions outlive the process and read the same
 * on every instance. Recording never waits on Redis: events are kept in memory (this
 * process's `list()` and listeners see them at once) and written in order in the background;
 * while Redis is away they wait (up to `pendingMax`) and go out when it is back, with the
 * time they happened. Reading pages (`page`) asks Redis and is refused while it is away.
 */
export class RedisEventLog implements EventLog {
  private readonly local: MemoryEventLog;
  private readonly client: Redis | Cluster;
  private readonly key: string;
  private readonly capacity: number;
  private readonly pendingMax: number;
  private readonly log: Logger;
  private readonly where: string;
  private readonly pending: string[] = [];
  private writing = false;
  private closed = false;
  private dropped = 0;
  private failing = false;
  private readonly drained = new Set<() => void>();

  constructor(options: RedisEventLogOptions) {
    this.local = new MemoryEventLog(1000, options.now, options.instanceId);
    this.key = redisKeys(options.keyPrefix).events;
    this.capacity = options.capacity ?? 10_000;
    this.pendingMax = options.pendingMax ?? 1000;
    this.log = options.log;
    this.where = describeRedis(options.connection);
    this.client = openRedisClient(options.connection, options.reconnectMaxDelayMs ?? 1000, { failFast: true, commandTimeoutMs: options.commandTimeoutMs ?? 5000 });
    this.client.on('ready', () => void this.pump());
    this.client.on('error', () => {}); // the state store reports the connection; the log says when writes wait
  }

  record(event: NewEvent): GeosteerEvent {
    const recorded = this.local.record(event);
    const { id: _local, ...stored } = recorded;
    // JSON.stringify escapes lone surrogates and control characters, so every entry is valid JSON text.
    this.pending.push(JSON.stringify(stored));
    if (this.pending.length > this.pendingMax) {
      this.pending.splice(0, this.pending.length - this.pendingMax);
      if (this.dropped++ === 0) this.log.error({ redis: this.where, pendingMax: this.pendingMax }, 'event log: Redis unreachable for too long; dropping the oldest unwritten events (they are in this log output)');
    }
    void this.pump();
    return recorded;
  }

  list(query?: EventQuery): GeosteerEvent[] {
    return this.local.list(query);
  }

  onEvent(listener: EventListener): () => void {
    return this.local.onEvent(listener);
  }

  async page(query: EventQuery = {}): Promise<EventPage> {
    if (this.client.status !== 'ready') throw this.unavailable();
    const limit = query.limit ?? DEFAULT_PAGE;
    const found: GeosteerEvent[] = [];
    let end = query.before === undefined ? '+' : `(${query.before}`;
    // Filters are applied while scanning; the stream is capped, so the scan is bounded by its length.
    for (;;) {
      let batch: [string, string[]][];
      try {
        batch = (await this.client.xrevrange(this.key, end, '-', 'COUNT', SCAN_BATCH)) as [string, string[]][];
      } catch (err) {
        throw this.unavailable(err as Error);
      }
      for (const [id, fields] of batch) {
        const event = parseEntry(id, fields);
        if (event && matchesQuery(event, query)) found.push(event);
        if (found.length > limit) break;
      }
      if (found.length > limit || batch.length < SCAN_BATCH) break;
      end = `(${batch[batch.length - 1][0]}`;
    }
    const events = found.slice(0, limit);
    return { events, nextBefore: found.length > limit ? events[events.length - 1].id : null };
  }

  flush(timeoutMs = 2000): Promise<boolean> {
    if (this.pending.length === 0 && !this.writing) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.drained.delete(done);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.drained.delete(done);
        resolve(false);
      }, timeoutMs);
      this.drained.add(done);
    });
  }

  async close(): Promise<void> {
    // Bounded: a stop while Redis is away must not hang (what stays unwritten is in the log output).
    const flushed = await this.flush(1000);
    this.closed = true;
    if (!flushed) this.log.warn({ redis: this.where, unwritten: this.pending.length }, 'event log: stopping with events Redis did not take (they are in this log output)');
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  /** Writes pending events in order, a batch per round trip, while Redis takes them. */
  private async pump(): Promise<void> {
    if (this.writing || this.closed) return;
    this.writing = true;
    try {
      while (this.pending.length > 0 && this.client.status === 'ready') {
        const batch = this.pending.slice(0, WRITE_BATCH);
        const pipeline = this.client.pipeline();
        for (const json of batch) pipeline.xadd(this.key, 'MAXLEN', '~', String(this.capacity), '*', 'event', json);
        const results = await pipeline.exec().catch((err: Error) => [[err, null]] as [Error, null][]);
        const failed = results?.findIndex(([err]) => err) ?? 0;
        const written = failed === -1 ? batch.length : failed;
        this.pending.splice(0, written);
        if (failed !== -1) {
          if (!this.failing) this.log.warn({ redis: this.where, err: results?.[failed]?.[0]?.message, unwritten: this.pending.length }, 'event log: Redis refused an event; events wait in memory until it takes them');
          this.failing = true;
          break;
        }
        if (this.failing) this.log.info({ redis: this.where, dropped: this.dropped }, 'event log: Redis takes events again');
        this.failing = false;
        this.dropped = 0;
      }
    } finally {
      this.writing = false;
    }
    if (this.pending.length === 0) for (const done of [...this.drained]) done();
  }

  private unavailable(err?: Error): GeosteerError {
    const why = err ? err.message : `not connected (status ${this.client.status})`;
    return new GeosteerError('STATE_UNAVAILABLE', `event log ${this.where}: ${why}; the events are also in each instance's log output, and GET /v1/events works again once Redis is back`, { cause: err });
  }
}

/** The event a stream entry holds, or undefined when it is not one of ours (skipped, never an error). */
function parseEntry(id: string, fields: string[]): GeosteerEvent | undefined {
  if (fields[0] !== 'event' || typeof fields[1] !== 'string') return undefined;
  try {
    const json = fields[1];
    const e = JSON.parse(json) as Partial<GeosteerEvent>;
    if (typeof e !== 'object' || e === null || typeof e.type !== 'string' || typeof e.at !== 'number' || typeof e.cause !== 'string') return undefined;
    return { ...e, id } as GeosteerEvent;
  } catch {
    return undefined;
  }
}
