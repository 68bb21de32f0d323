import { GeosteerError } from '../shared/errors.js';

/**
 * Kinds of event: health transitions, steering changes, and operator actions.
 * state_store_reset: the shared store lost its data (last known overrides kept until an
 * operator decides); state_store_reset_resolved: decided (republish | adopt) or the data came back.
 * sync_refused: a zone-wide refusal (token, permission, quota, zone) started or changed;
 * sync_rate_limited: the rate limit ended a run (the next attempt waits for its window);
 * sync_conflict: the set of record sets in conflict changed.
 */
export const EVENT_TYPES = [
  'endpoint_up',
  'endpoint_down',
  'region_up',
  'region_down',
  'failover',
  'failback',
  'fail_open_entered',
  'fail_open_left',
  'alert_firing',
  'alert_resolved',
  'config_reloaded',
  'config_rejected',
  'geoip_reloaded',
  'geoip_rejected',
  'source_error',
  'sync_applied',
  'sync_failed',
  'state_store_reset',
  'state_store_reset_resolved',
  'sync_refused',
  'sync_rate_limited',
  'sync_conflict',
  'audit',
] as const;

/** One of EVENT_TYPES. */
export type EventType = (typeof EVENT_TYPES)[number];

/** One entry of the event log. */
export interface GeosteerEvent {
  /** The log's cursor: unique and increasing in the log it was read from (memory: "17"; Redis: the stream id "1700000000000-0"). */
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly type: EventType;
  /** What caused it, in words an operator reads ("3 failed checks: connect ECONNREFUSED"). */
  readonly cause: string;
  /** The instance that recorded it (state.instance_id), in a log shared by several. */
  readonly instance?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly name?: string;
  /** Any further structured detail (audit: token, from, action, before, after, force, reason). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** What callers pass; id, time and instance are filled in by the log. */
export type NewEvent = Omit<GeosteerEvent, 'id' | 'at' | 'instance'> & { at?: number };

/** Receives every event this process records, as it is recorded (structured logging, metrics). */
export type EventListener = (event: GeosteerEvent) => void;

/** Which events to read: newest first, at most `limit`, older than the `before` cursor, matching every filter given. */
export interface EventQuery {
  readonly limit?: number;
  /** A cursor from a previous page (`nextBefore`): only events after it in the log, i.e. older. */
  readonly before?: string;
  readonly type?: EventType;
  readonly region?: string;
  /** Only events at or after this time, ms since the epoch. */
  readonly since?: number;
}

/** One page of the log, newest first. */
export interface EventPage {
  readonly events: readonly GeosteerEvent[];
  /** Pass as `before` for the next page; null when this page holds the last matching event. */
  readonly nextBefore: string | null;
}

/**
 * The one place events are recorded. Every implementation keeps this process's recent
 * events in memory (`list`, listeners); `page` reads the log as its backing keeps it
 * (memory: the same events; Redis: a capped stream every instance writes to).
 */
export interface EventLog {
  /** Records an event (time and instance filled in), tells the listeners, and hands it to the backing. */
  record(event: NewEvent): GeosteerEvent;
  /** This process's recent events, newest first, synchronously (ids of this process's memory). */
  list(query?: EventQuery): GeosteerEvent[];
  /** A page of the log, newest first (Redis: every instance's events; refused with STATE_UNAVAILABLE while unreachable). */
  page(query?: EventQuery): Promise<EventPage>;
  onEvent(listener: EventListener): () => void;
  /** Resolves once every event recorded so far is in the backing, or after `timeoutMs` (false: some are still pending). */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes what it can and lets go of the backing. */
  close(): Promise<void>;
}

/** Whether `e` passes the filters of `q` (the cursor aside). */
export function matchesQuery(e: GeosteerEvent, q: EventQuery): boolean {
  if (q.type !== undefined && e.type !== q.type) return false;
  if (q.region !== undefined && e.region !== q.region) return false;
  if (q.since !== undefined && e.at < q.since) return false;
  return true;
}

/** Events of the default page size when a query gives no limit. */
export const DEFAULT_PAGE = 100;

/**
 * A bounded in-memory log, newest last; the oldest fall off past `capacity`. The log of a
 * single instance (`state.store: memory`), whose weights and drains are in memory too; every
 * event is also a JSON log line, which is where a single instance's history outlives it.
 */
export class MemoryEventLog implements EventLog {
  private readonly events: GeosteerEvent[] = [];
  private nextId = 1;
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
    private readonly instance?: string,
  ) {}

  record(event: NewEvent): GeosteerEvent {
    const full: GeosteerEvent = Object.freeze({
      ...event,
      id: String(this.nextId++),
      at: event.at ?? this.now(),
      ...(this.instance !== undefined ? { instance: this.instance } : {}),
    });
    this.events.push(full);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    for (const l of this.listeners) l(full);
    return full;
  }

  list(query: EventQuery = {}): GeosteerEvent[] {
    return this.scan(query, query.limit ?? DEFAULT_PAGE);
  }

  async page(query: EventQuery = {}): Promise<EventPage> {
    const limit = query.limit ?? DEFAULT_PAGE;
    // One extra tells whether another page exists.
    const found = this.scan(query, limit + 1);
    const events = found.slice(0, limit);
    return { events, nextBefore: found.length > limit ? events[events.length - 1].id : null };
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async flush(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  private scan(query: EventQuery, limit: number): GeosteerEvent[] {
    const before = query.before === undefined ? undefined : memoryCursor(query.before);
    const out: GeosteerEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.events[i];
      if (before !== undefined && Number(e.id) >= before) continue;
      if (matchesQuery(e, query)) out.push(e);
    }
    return out;
  }
}

function memoryCursor(before: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(before)) throw new GeosteerError('BAD_REQUEST', `before: expected a cursor from next_before of this instance's log (digits), got ${JSON.stringify(before)}`);
  return Number(before);
}
