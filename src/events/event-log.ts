/**
 * Kinds of event: health transitions, steering changes, and operator actions.
 * state_store_reset: the shared store lost its data (last known overrides kept until an
 * operator decides); state_store_reset_resolved: decided (republish | adopt) or the data came back.
 */
export type EventType =
  | 'endpoint_up'
  | 'endpoint_down'
  | 'region_up'
  | 'region_down'
  | 'failover'
  | 'failback'
  | 'fail_open_entered'
  | 'fail_open_left'
  | 'alert_firing'
  | 'alert_resolved'
  | 'config_reloaded'
  | 'config_rejected'
  | 'geoip_reloaded'
  | 'geoip_rejected'
  | 'source_error'
  | 'sync_applied'
  | 'sync_failed'
  | 'state_store_reset'
  | 'state_store_reset_resolved'
  /** A zone-wide refusal (token, permission, quota, zone) started or changed. */
  | 'sync_refused'
  /** The rate limit ended a run; the next attempt waits for its window. */
  | 'sync_rate_limited'
  /** The set of record sets in conflict changed. */
  | 'sync_conflict'
  | 'audit';

/** One entry of the event log. */
export interface GeosteerEvent {
  /** Increasing id; pagination cursor. */
  readonly id: number;
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly type: EventType;
  /** What caused it, in words an operator reads ("3 failed checks: connect ECONNREFUSED"). */
  readonly cause: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly name?: string;
  /** Any further structured detail (audit: token, before, after, reason). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** What callers pass; id and time are filled in by the log. */
export type NewEvent = Omit<GeosteerEvent, 'id' | 'at'> & { at?: number };

/** Receives every event as it is recorded (structured logging, metrics). */
export type EventListener = (event: GeosteerEvent) => void;

/** A bounded in-memory log of events, newest last; the oldest fall off past `capacity`. */
export class EventLog {
  private readonly events: GeosteerEvent[] = [];
  private nextId = 1;
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly capacity = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an event and tells the listeners. */
  record(event: NewEvent): GeosteerEvent {
    const full: GeosteerEvent = Object.freeze({ ...event, id: this.nextId++, at: event.at ?? this.now() });
    this.events.push(full);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    for (const l of this.listeners) l(full);
    return full;
  }

  /** Newest first; `before` is an id cursor from a previous page. */
  list(opts: { limit?: number; before?: number; type?: EventType; region?: string } = {}): GeosteerEvent[] {
    const limit = opts.limit ?? 100;
    const out: GeosteerEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.events[i];
      if (opts.before !== undefined && e.id >= opts.before) continue;
      if (opts.type !== undefined && e.type !== opts.type) continue;
      if (opts.region !== undefined && e.region !== opts.region) continue;
      out.push(e);
    }
    return out;
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
