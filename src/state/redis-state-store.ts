import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { PUBLISH_OBSERVATIONS, SET_VERSIONED_ENTRY } from './redis-scripts.js';
import type { DrainInfo, InstanceObservations, SharedState, StateStore } from './state-store.js';
import { parseDrainEntry, parseJson, parseObservations, parseWeightEntry, sameTargets, type VersionedEntry } from './versioned-entry.js';

/** How to reach Redis: one server, a Sentinel-managed master, or a Cluster. */
export type RedisConnection =
  | { readonly mode: 'standalone'; readonly url: string }
  | { readonly mode: 'sentinel'; readonly sentinels: readonly { host: string; port: number }[]; readonly name: string; readonly url?: string }
  | { readonly mode: 'cluster'; readonly nodes: readonly { host: string; port: number }[]; readonly url?: string };

/** Options of a RedisStateStore. */
export interface RedisStateStoreOptions {
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
  /** Recorded as `by` on weight writes. */
  readonly instanceId: string;
  readonly log: Logger;
  /** Full re-read period, so a missed pub/sub message cannot leave this instance wrong for long. */
  readonly resyncIntervalMs?: number;
  /** Upper bound of the reconnect back-off. */
  readonly reconnectMaxDelayMs?: number;
  readonly now?: () => number;
}

type Client = Redis & {
  geosteerSet(hash: string, counter: string, field: string, value: string, at: string, by: string, channel: string, kind: string): Promise<[number, number, string]>;
  geosteerObserve(key: string, set: string, json: string, ttl: string, instance: string, channel: string): Promise<number>;
};

interface ObservationEntry {
  readonly observations: InstanceObservations;
  /** Local clock, so other instances' clock skew cannot keep them alive. */
  readonly expiresAt: number;
}

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

/**
 * Shared state in Redis for several geosteer instances. Reads are served from a local copy
 * (the DNS path never waits on Redis); pub/sub applies other instances' writes within
 * milliseconds and a periodic full read repairs anything missed. Writes fail fast with
 * STATE_UNAVAILABLE while Redis is unreachable: refused, never queued and lost.
 */
export class RedisStateStore implements StateStore {
  readonly kind = 'redis';
  private readonly keys: RedisKeys;
  private readonly client: Client;
  private readonly subscriber: Redis | Cluster;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly weights = new Map<string, VersionedEntry<number>>();
  private readonly drains = new Map<string, VersionedEntry<DrainInfo>>();
  private readonly observations = new Map<string, ObservationEntry>();
  private readonly listeners = new Set<() => void>();
  private readonly resyncTimer: NodeJS.Timeout;
  private state: SharedState | undefined;
  private generation = 0;
  private maxVersionSeen = 0;
  private synced = false;
  private lastConnected = false;
  private syncedAt: number | undefined;
  private closed = false;

  constructor(private readonly options: RedisStateStoreOptions) {
    this.keys = redisKeys(options.keyPrefix);
    this.log = options.log;
    this.now = options.now ?? Date.now;
    const maxDelay = options.reconnectMaxDelayMs ?? 1000;
    // retry forever with a bounded back-off; each attempt is cheap and Redis may be gone for hours
    const backoff = (times: number): number => Math.min(50 * times, maxDelay);
    const common: RedisOptions = {
      retryStrategy: backoff,
      connectTimeout: 2000,
      ...urlOptions(options.connection.url),
    };
    const scripts = {
      geosteerSet: { numberOfKeys: 2, lua: SET_VERSIONED_ENTRY },
      geosteerObserve: { numberOfKeys: 2, lua: PUBLISH_OBSERVATIONS },
    };
    // Commands fail at once while disconnected instead of waiting in a queue: a write the
    // operator saw succeed must really be in Redis.
    const writer: RedisOptions = { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, scripts };
    const reader: RedisOptions = { ...common, maxRetriesPerRequest: null };
    const c = options.connection;
    if (c.mode === 'cluster') {
      const nodes = c.nodes.map((n) => ({ host: n.host, port: n.port }));
      // Cluster exposes the same commands as Redis; one type keeps the call sites simple
      const { retryStrategy, enableOfflineQueue: _w, ...nodeWriter } = writer;
      const { retryStrategy: _r, ...nodeReader } = reader;
      this.client = new Cluster(nodes, { redisOptions: nodeWriter, enableOfflineQueue: false, clusterRetryStrategy: retryStrategy, scripts }) as unknown as Client;
      this.subscriber = new Cluster(nodes, { redisOptions: nodeReader, clusterRetryStrategy: retryStrategy });
    } else if (c.mode === 'sentinel') {
      const sentinel = { sentinels: c.sentinels.map((s) => ({ host: s.host, port: s.port })), name: c.name, sentinelRetryStrategy: backoff };
      this.client = new Redis({ ...writer, ...sentinel }) as Client;
      this.subscriber = new Redis({ ...reader, ...sentinel });
    } else {
      this.client = new Redis(c.url, writer) as Client;
      this.subscriber = new Redis(c.url, reader);
    }
    this.client.on('ready', () => this.onReady());
    this.client.on('close', () => this.onDisconnect());
    this.client.on('error', (err: Error) => this.onError(err));
    this.subscriber.on('error', () => {}); // reported once via the writer connection
    this.subscriber.on('ready', () => this.resyncQuietly('subscriber reconnected'));
    this.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    void this.subscriber.subscribe(this.keys.changes).catch((err: Error) => this.log.warn({ err: err.message }, 'state store: subscribe failed; relying on periodic resync'));
    this.resyncTimer = setInterval(() => this.resyncQuietly('periodic'), options.resyncIntervalMs ?? 5000);
    this.resyncTimer.unref();
  }

  get connected(): boolean {
    return this.synced && this.client.status === 'ready';
  }

  get lastSyncAt(): number | undefined {
    return this.syncedAt;
  }

  current(): SharedState {
    const now = this.now();
    let expired = false;
    for (const [id, entry] of this.observations) {
      if (entry.expiresAt <= now) {
        this.observations.delete(id);
        expired = true;
      }
    }
    if (expired || !this.state) this.state = this.buildState(expired);
    return this.state;
  }

  /** Waits (bounded by `timeoutMs`) for the connection, then reads everything. */
  async refresh(timeoutMs = 5000): Promise<SharedState> {
    await this.waitReady(timeoutMs);
    await this.resync();
    return this.current();
  }

  async setWeight(region: string, weight: number | null): Promise<void> {
    const entry = await this.write(this.keys.weights, 'weight', region, JSON.stringify(weight), this.options.instanceId);
    this.applyEntry(this.weights, region, parseWeightEntry(entry));
  }

  async setDrain(region: string, drain: DrainInfo | null): Promise<void> {
    const entry = await this.write(this.keys.drains, 'drain', region, JSON.stringify(drain), drain?.by ?? this.options.instanceId);
    this.applyEntry(this.drains, region, parseDrainEntry(entry));
  }

  async publishObservations(observations: InstanceObservations, ttlMs: number): Promise<void> {
    this.requireConnected('health observations cannot be shared');
    const ttl = String(Math.max(1, Math.round(ttlMs)));
    try {
      await this.client.geosteerObserve(this.keys.observations(observations.instance), this.keys.instances, JSON.stringify(observations), ttl, observations.instance, this.keys.changes);
    } catch (err) {
      throw this.unavailable(`publishing observations failed (${(err as Error).message})`, err);
    }
    this.applyObservations(observations, ttlMs);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.resyncTimer);
    this.listeners.clear();
    this.client.disconnect();
    this.subscriber.disconnect();
  }

  private async write(hash: string, kind: string, field: string, valueJson: string, by: string): Promise<unknown> {
    this.requireConnected('weight/drain changes are refused until Redis is back (nothing was written)');
    let reply: [number, number, string];
    try {
      reply = await this.client.geosteerSet(hash, this.keys.version, field, valueJson, String(this.now()), by, this.keys.changes, kind);
    } catch (err) {
      throw this.unavailable(`the write failed (${(err as Error).message}); it may not have been applied, check the current state and retry`, err);
    }
    const [applied, version, entry] = reply;
    if (applied !== 1) {
      throw new GeosteerError('CONFLICT', `state store ${describeRedis(this.options.connection)}: ${kind} of ${field} already holds version ${version}, newer than this write; re-read and retry`);
    }
    return parseJson(entry);
  }

  private requireConnected(consequence: string): void {
    if (!this.connected) throw this.unavailable(`not connected; ${consequence}`);
  }

  private unavailable(detail: string, cause?: unknown): GeosteerError {
    return new GeosteerError('STATE_UNAVAILABLE', `state store ${describeRedis(this.options.connection)}: ${detail}`, { cause });
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    const deadline = this.now() + timeoutMs;
    while ((this.client.status as string) !== 'ready') {
      if (this.closed || this.now() >= deadline) throw this.unavailable(`not reachable within ${timeoutMs} ms (status ${this.client.status}); retrying in the background`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Reads weights, drains and the counter atomically (MULTI), then the live observations. */
  private async resync(): Promise<void> {
    const k = this.keys;
    const results = await this.client.multi().get(k.version).hgetall(k.weights).hgetall(k.drains).smembers(k.instances).exec();
    if (!results) throw this.unavailable('resync transaction was aborted');
    for (const [err] of results) if (err) throw err;
    const counter = Number(results[0][1] ?? 0);
    const weights = results[1][1] as Record<string, string>;
    const drains = results[2][1] as Record<string, string>;
    const instances = results[3][1] as string[];
    const obsReplies = instances.length > 0 ? await instances.reduce((m, i) => m.get(k.observations(i)).pttl(k.observations(i)), this.client.multi()).exec() : [];
    if (!obsReplies) throw this.unavailable('resync transaction was aborted');
    const observed: { text: string; ttl: number }[] = [];
    const gone: string[] = [];
    instances.forEach((id, i) => {
      const text = obsReplies[2 * i]?.[1];
      const ttl = Number(obsReplies[2 * i + 1]?.[1]);
      if (typeof text === 'string' && ttl > 0) observed.push({ text, ttl });
      else gone.push(id);
    });
    if (gone.length > 0) await this.client.srem(k.instances, ...gone);

    let changed = false;
    // Redis lost its data (restart without persistence, FLUSHALL): adopt what it has now.
    const reset = counter < this.maxVersionSeen;
    if (reset) this.log.warn({ counter, seen: this.maxVersionSeen }, 'state store: Redis version counter went backwards; adopting its current contents');
    changed = this.adoptAll(this.weights, weights, parseWeightEntry, counter, reset) || changed;
    changed = this.adoptAll(this.drains, drains, parseDrainEntry, counter, reset) || changed;
    if (reset) this.maxVersionSeen = counter;

    const live = new Set<string>();
    for (const { text, ttl } of observed) {
      const obs = parseObservations(parseJson(text));
      if (!obs) continue;
      live.add(obs.instance);
      const prev = this.observations.get(obs.instance);
      if (!prev || !sameTargets(prev.observations.targets, obs.targets)) changed = true;
      // PTTL measured now, on our clock: the same expiry Redis applies
      this.observations.set(obs.instance, { observations: obs, expiresAt: this.now() + ttl });
    }
    for (const id of [...this.observations.keys()]) {
      if (!live.has(id)) {
        this.observations.delete(id);
        changed = true;
      }
    }
    this.syncedAt = this.now();
    if (changed) this.changed();
  }

  /** Full-read merge: Redis wins for every entry up to `counter`; newer local ones came by pub/sub after the read. */
  private adoptAll<T>(local: Map<string, VersionedEntry<T>>, stored: Record<string, string>, parse: (x: unknown) => VersionedEntry<T> | undefined, counter: number, reset: boolean): boolean {
    let changed = false;
    for (const [field, text] of Object.entries(stored)) {
      const entry = parse(parseJson(text));
      if (!entry) {
        this.log.warn({ field, text }, 'state store: ignoring a malformed entry in Redis');
        continue;
      }
      const prev = local.get(field);
      if (reset || !prev || prev.version < entry.version || (prev.version <= counter && prev.version !== entry.version)) {
        local.set(field, entry);
        changed ||= JSON.stringify(prev?.value ?? null) !== JSON.stringify(entry.value);
      }
      this.maxVersionSeen = Math.max(this.maxVersionSeen, entry.version);
    }
    for (const [field, prev] of [...local]) {
      if (!(field in stored) && (reset || prev.version <= counter)) {
        local.delete(field);
        changed ||= prev.value !== null;
      }
    }
    return changed;
  }

  private applyEntry<T>(local: Map<string, VersionedEntry<T>>, field: string, entry: VersionedEntry<T> | undefined): void {
    if (!entry) return;
    const prev = local.get(field);
    if (prev && prev.version >= entry.version) return; // an older write never replaces a newer one
    local.set(field, entry);
    this.maxVersionSeen = Math.max(this.maxVersionSeen, entry.version);
    if (JSON.stringify(prev?.value ?? null) !== JSON.stringify(entry.value)) this.changed();
  }

  private applyObservations(obs: InstanceObservations, ttlMs: number): void {
    const prev = this.observations.get(obs.instance);
    this.observations.set(obs.instance, { observations: obs, expiresAt: this.now() + ttlMs });
    if (!prev || !sameTargets(prev.observations.targets, obs.targets)) this.changed();
  }

  private onMessage(message: string): void {
    const msg = parseJson(message) as { kind?: unknown; field?: unknown; entry?: unknown; ttl?: unknown; observations?: unknown } | undefined;
    if (!msg || typeof msg !== 'object') return this.log.warn({ message }, 'state store: ignoring a malformed change message');
    if (msg.kind === 'weight' && typeof msg.field === 'string') return this.applyEntry(this.weights, msg.field, parseWeightEntry(msg.entry));
    if (msg.kind === 'drain' && typeof msg.field === 'string') return this.applyEntry(this.drains, msg.field, parseDrainEntry(msg.entry));
    const obs = msg.kind === 'obs' ? parseObservations(msg.observations) : undefined;
    if (obs && typeof msg.ttl === 'number' && msg.ttl > 0) return this.applyObservations(obs, msg.ttl);
    this.log.warn({ message }, 'state store: ignoring a malformed change message');
  }

  private onReady(): void {
    this.resync().then(
      () => {
        this.synced = true;
        this.connectionChanged();
        this.log.info({ redis: describeRedis(this.options.connection) }, 'state store: connected and resynced');
      },
      (err: Error) => this.log.warn({ err: err.message }, 'state store: resync after connect failed; retrying on the next resync'),
    );
  }

  private onDisconnect(): void {
    this.synced = false;
    this.connectionChanged();
  }

  private onError(err: Error): void {
    if (this.lastConnected || this.syncedAt === undefined) this.log.debug({ err: err.message }, 'state store: Redis error');
  }

  private connectionChanged(): void {
    const now = this.connected;
    if (now === this.lastConnected) return;
    this.lastConnected = now;
    if (!now && !this.closed) this.log.warn({ redis: describeRedis(this.options.connection) }, 'state store: Redis connection lost; serving the last state, refusing writes, reconnecting');
  }

  private resyncQuietly(reason: string): void {
    if (this.closed || this.client.status !== 'ready') return;
    this.resync().then(
      () => {
        if (!this.synced) {
          this.synced = true;
          this.connectionChanged();
        }
      },
      (err: Error) => this.log.warn({ err: err.message, reason }, 'state store: resync failed; keeping the last state'),
    );
  }

  private buildState(bump: boolean): SharedState {
    if (bump) this.generation++;
    const weights = new Map<string, number>();
    for (const [region, e] of this.weights) if (e.value !== null) weights.set(region, e.value);
    const drains = new Map<string, DrainInfo>();
    for (const [region, e] of this.drains) if (e.value !== null) drains.set(region, e.value);
    const observations = new Map<string, InstanceObservations>();
    for (const [id, e] of this.observations) observations.set(id, e.observations);
    return { version: this.generation, weights, drains, observations };
  }

  private changed(): void {
    this.generation++;
    this.state = undefined;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'state store: change listener failed');
      }
    }
  }
}
