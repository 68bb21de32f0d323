import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { describeRedis, openRedisClients, type RedisConnection } from './redis-connection.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { CONFIRM_RESET, PUBLISH_OBSERVATIONS, SET_VERSIONED_ENTRY } from './redis-scripts.js';
import { EpochWatch, type EventRecorder } from './epoch-watch.js';
import type { DrainInfo, InstanceObservations, ResetDecision, ResetResolution, SharedState, StateStore, StateStoreStatus, StoreHealth } from './state-store.js';
import { epochText, parseEpoch } from './store-epoch.js';
import { StatusBook } from './store-status.js';
import { LocalStateCopy, type ReadInFlight } from './local-state-copy.js';
import { parseJson, parseObservations } from './versioned-entry.js';

export { describeRedis, type RedisConnection } from './redis-connection.js';
export type { EventRecorder } from './epoch-watch.js';

/** Options of a RedisStateStore. */
export interface RedisStateStoreOptions {
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
  /** Recorded as `by` on weight writes and on the epoch marker. */
  readonly instanceId: string;
  readonly log: Logger;
  /** Receives state_store_reset / state_store_reset_resolved events. */
  readonly events?: EventRecorder;
  /** Full re-read period, so a missed pub/sub message cannot leave this instance wrong for long. */
  readonly resyncIntervalMs?: number;
  /** Upper bound of the reconnect back-off. */
  readonly reconnectMaxDelayMs?: number;
  /** How long a write or a full read may wait for Redis before it is given up (default 5000). */
  readonly commandTimeoutMs?: number;
  readonly now?: () => number;
  /** New epoch ids (random by default). */
  readonly newEpochId?: () => string;
}

type Client = (Redis | Cluster) & {
  geosteerSet(hash: string, counter: string, epoch: string, field: string, value: string, at: string, by: string, channel: string, kind: string, known: string, seen: string, epochId: string): Promise<[number, number, string]>;
  geosteerConfirm(weights: string, drains: string, counter: string, epoch: string, found: string, next: string, nextId: string, seen: string, channel: string, decision: string, keptWeights: string, keptDrains: string): Promise<[number, string]>;
  geosteerObserve(key: string, set: string, json: string, ttl: string, instance: string, channel: string): Promise<number>;
};

const REFUSED_UNTIL_CONFIRMED = 'weight/drain changes are refused until an operator confirms the reset: republish this instance\'s kept overrides or adopt what Redis holds (nothing was written)';

/**
 * Shared state in Redis for several geosteer instances. Reads are served from a local copy
 * (the DNS path never waits on Redis); pub/sub applies other instances' writes within
 * milliseconds and a periodic full read repairs anything missed. Writes fail fast with
 * STATE_UNAVAILABLE while Redis is unreachable or has lost its data: refused, never queued
 * and lost, never acknowledged and ignored.
 */
export class RedisStateStore implements StateStore, StoreHealth {
  readonly kind = 'redis';
  private readonly keys: RedisKeys;
  private readonly client: Client;
  private readonly subscriber: Redis | Cluster;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly book: StatusBook;
  private readonly copy: LocalStateCopy;
  private readonly listeners = new Set<() => void>();
  private readonly resyncTimer: NodeJS.Timeout;
  private synced = false;
  private syncedAt: number | undefined;
  private closed = false;
  private readonly epoch: EpochWatch;
  private readonly commandTimeoutMs: number;
  private resyncRunning: Promise<void> | undefined;
  private resyncQueued: Promise<void> | undefined;
  /** Settles once the change channel is subscribed (or the subscribe failed). */
  private readonly subscribed: Promise<void>;

  constructor(private readonly options: RedisStateStoreOptions) {
    this.keys = redisKeys(options.keyPrefix);
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    this.copy = new LocalStateCopy(this.now, this.log, () => this.changed());
    this.book = new StatusBook('redis', this.now, () => ({ lastSyncAt: this.syncedAt, epoch: this.epoch.id, reset: this.epoch.reset }), this.log);
    const redis = describeRedis(options.connection);
    this.epoch = new EpochWatch({ now: this.now, log: this.log, events: options.events, book: this.book, epochKey: this.keys.epoch, redis, instanceId: options.instanceId, current: () => this.copy.current() });
    const scripts = {
      geosteerSet: { numberOfKeys: 3, lua: SET_VERSIONED_ENTRY },
      geosteerConfirm: { numberOfKeys: 4, lua: CONFIRM_RESET },
      geosteerObserve: { numberOfKeys: 2, lua: PUBLISH_OBSERVATIONS },
    };
    const { writer, subscriber } = openRedisClients(options.connection, scripts, options.reconnectMaxDelayMs ?? 1000);
    this.client = writer as Client;
    this.subscriber = subscriber;
    this.client.on('ready', () => this.onReady());
    this.client.on('close', () => this.onDisconnect());
    this.client.on('error', (err: Error) => this.onError(err));
    this.subscriber.on('error', () => {}); // reported once via the writer connection
    this.subscriber.on('ready', () => this.resyncQuietly('subscriber reconnected'));
    this.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    this.subscribed = this.subscriber.subscribe(this.keys.changes).then(
      () => undefined,
      (err: Error) => this.log.warn({ err: err.message }, 'state store: subscribe failed; relying on periodic resync'),
    );
    this.resyncTimer = setInterval(() => this.resyncQuietly('periodic'), options.resyncIntervalMs ?? 5000);
    this.resyncTimer.unref();
  }

  get connected(): boolean {
    return this.synced && this.client.status === 'ready';
  }

  get lastSyncAt(): number | undefined {
    return this.syncedAt;
  }

  status(): StateStoreStatus {
    return this.book.status();
  }

  onStatus(listener: (status: StateStoreStatus) => void): () => void {
    return this.book.onStatus(listener);
  }

  current(): SharedState {
    return this.copy.current();
  }

  /**
   * Waits (bounded by `timeoutMs`) for the connection and the change channel, then reads
   * everything. Subscribed first: a write Redis runs after the read then arrives as a
   * message, where a read before the subscription would miss it until the next resync.
   */
  async refresh(timeoutMs = 5000): Promise<SharedState> {
    const deadline = this.now() + timeoutMs;
    await this.waitReady(timeoutMs);
    // past the deadline the read goes ahead: the periodic resync covers what is missed until the subscription completes
    await this.answerWithin(this.subscribed, 'the subscription', deadline - this.now()).catch((err: Error) => this.log.warn({ err: err.message }, 'state store: the change channel is not subscribed yet; reading anyway'));
    await this.resync();
    return this.current();
  }

  async setWeight(region: string, weight: number | null): Promise<void> {
    await this.write(this.keys.weights, 'weight', region, JSON.stringify(weight), this.options.instanceId);
  }

  async setDrain(region: string, drain: DrainInfo | null): Promise<void> {
    await this.write(this.keys.drains, 'drain', region, JSON.stringify(drain), drain?.by ?? this.options.instanceId);
  }

  async publishObservations(observations: InstanceObservations, ttlMs: number): Promise<void> {
    if (!this.connected) throw this.unavailable('not connected; health observations cannot be shared');
    const ttl = String(Math.max(1, Math.round(ttlMs)));
    try {
      await this.answerWithin(this.client.geosteerObserve(this.keys.observations(observations.instance), this.keys.instances, JSON.stringify(observations), ttl, observations.instance, this.keys.changes), 'publishing observations');
    } catch (err) {
      throw this.unavailable(`publishing observations failed (${(err as Error).message})`, err);
    }
    this.copy.applyObservations(observations, ttlMs);
  }

  async confirmReset(decision: ResetDecision, by: string): Promise<ResetResolution> {
    if (!this.connected) throw this.unavailable('not connected; a reset can be confirmed once Redis is back');
    if (!this.epoch.reset) throw new GeosteerError('CONFLICT', `state store ${describeRedis(this.options.connection)}: no reset is pending; nothing to confirm`);
    const id = (this.options.newEpochId ?? randomUUID)();
    const text = epochText({ id, at: this.now(), by, origin: decision });
    const kept = decision === 'republish' ? this.copy.kept() : { weights: [], drains: [] };
    const k = this.keys;
    let reply: [number, string];
    this.epoch.confirmingAs(text);
    try {
      reply = await this.answerWithin(this.client.geosteerConfirm(k.weights, k.drains, k.version, k.epoch, this.epoch.found ?? '', text, id, String(this.copy.maxVersionSeen), k.changes, decision, JSON.stringify(kept.weights), JSON.stringify(kept.drains)), 'the confirm');
    } catch (err) {
      throw this.unavailable(`confirming the reset failed (${(err as Error).message}); it may or may not have been applied: check the status and retry`, err);
    } finally {
      this.epoch.confirmingAs(undefined);
    }
    if (reply[0] !== 1) {
      await this.resync().catch(() => {});
      throw new GeosteerError('CONFLICT', `state store ${describeRedis(this.options.connection)}: the epoch marker changed since the reset was detected (another instance decided first?); this instance re-read Redis: check the status and confirm again if a reset is still pending`);
    }
    this.epoch.confirmed(text, decision, by);
    await this.resync().catch((err: Error) => this.log.warn({ err: err.message }, 'state store: re-read after confirming the reset failed; the next resync adopts the new epoch'));
    const state = this.current();
    return { decision, epoch: id, weights: state.weights.size, drains: state.drains.size };
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

  /** Writes one entry and applies it to the local copy once Redis acknowledged it. */
  private async write(hash: string, kind: 'weight' | 'drain', field: string, valueJson: string, by: string): Promise<void> {
    if (!this.connected) throw this.refuse('not connected; weight/drain changes are refused until Redis is back (nothing was written)');
    const pending = this.epoch.reset;
    if (pending) throw this.refuse(`${pending.cause}; ${REFUSED_UNTIL_CONFIRMED}`);
    const k = this.keys;
    const epoch = this.epoch.id!;
    let reply: [number, number, string];
    try {
      reply = await this.answerWithin(this.client.geosteerSet(hash, k.version, k.epoch, field, valueJson, String(this.now()), by, k.changes, kind, this.epoch.text!, String(this.copy.maxVersionSeen), epoch), 'the write');
    } catch (err) {
      this.resyncQuietly('a write failed'); // finds out whether the state can still be read
      throw this.refuse(`the write failed (${(err as Error).message}); it may or may not have been applied, check the current state and retry`, err);
    }
    const [status, version, entry] = reply;
    if (status < 0) {
      // Redis lost data since our last full read: find out what (the read records the reset), then refuse.
      await this.resync().catch(() => {});
      const reset = this.status().reset; // set by the read just awaited
      const detail = reset ? `${reset.cause}; ${REFUSED_UNTIL_CONFIRMED}` : 'Redis changed its data generation since this instance last read it (another instance confirmed a reset); this instance re-read it: check the state and retry (nothing was written)';
      throw this.refuse(detail);
    }
    if (status !== 1) {
      this.book.refused();
      throw new GeosteerError('CONFLICT', `state store ${describeRedis(this.options.connection)}: ${kind} of ${field} already holds version ${version}, newer than this write; re-read and retry`);
    }
    this.copy.applyEntry(kind, field, parseJson(entry), epoch);
  }

  /**
   * `p`, or an error once Redis has not answered for the command timeout: a stuck
   * connection (a Cluster slot owner half gone) must neither hang an admin write nor wedge
   * the one-at-a-time full reads. A late answer to a read is still merged (by version, so
   * it cannot undo anything newer).
   */
  private answerWithin<T>(p: Promise<T>, what: string, timeoutMs = this.commandTimeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis to ${what} within ${timeoutMs} ms`)), Math.max(0, timeoutMs));
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** Counts a refused write and builds its STATE_UNAVAILABLE error. */
  private refuse(detail: string, cause?: unknown): GeosteerError {
    this.book.refused();
    return this.unavailable(detail, cause);
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

  /** One full read at a time; a read asked for while one runs runs once more after it (it may have read too early). */
  private resync(): Promise<void> {
    if (this.resyncQueued) return this.resyncQueued;
    if (!this.resyncRunning) {
      this.resyncRunning = this.answerWithin(this.readAll(), 'a full read').finally(() => (this.resyncRunning = undefined));
      return this.resyncRunning;
    }
    this.resyncQueued = this.resyncRunning
      .catch(() => {})
      .then(() => {
        this.resyncQueued = undefined;
        return this.resync();
      });
    return this.resyncQueued;
  }

  /**
   * Reads the epoch marker, counter, weights and drains atomically (MULTI), then the live
   * observations; judged against what this instance had seen when the read was sent.
   */
  private async readAll(): Promise<void> {
    const sent = this.copy.readSent();
    try {
      await this.readAllOf(sent);
    } finally {
      this.copy.readEnded(sent);
    }
  }

  private async readAllOf(sent: ReadInFlight): Promise<void> {
    const k = this.keys;
    const results = await this.client.multi().get(k.epoch).get(k.version).hgetall(k.weights).hgetall(k.drains).smembers(k.instances).exec();
    if (!results) throw this.unavailable('resync transaction was aborted');
    for (const [err] of results) if (err) throw err;
    const found = results[0][1] as string | null;
    const counter = Number(results[1][1] ?? 0);
    const weights = results[2][1] as Record<string, string>;
    const drains = results[3][1] as Record<string, string>;
    const instances = results[4][1] as string[];
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

    const overrides = await this.epoch.judge(found, counter, sent.seenAtSend, () => this.createEpoch());
    this.copy.takeFullRead({ weights, drains, counter, observed }, overrides, sent, this.epoch.id);
    this.syncedAt = this.now();
  }

  /** Writes the first epoch marker (SET NX; another instance may win the race, then its marker is read). */
  private async createEpoch(): Promise<string> {
    const text = epochText({ id: (this.options.newEpochId ?? randomUUID)(), at: this.now(), by: this.options.instanceId, origin: 'created' });
    if ((await this.client.set(this.keys.epoch, text, 'NX')) === 'OK') {
      this.log.info({ epoch: parseEpoch(text)!.id }, 'state store: wrote the epoch marker (first connect to this Redis)');
      return text;
    }
    const winner = await this.client.get(this.keys.epoch);
    if (winner === null) throw this.unavailable('the epoch marker vanished while it was being created; retrying on the next resync');
    return winner;
  }

  private onMessage(message: string): void {
    const msg = parseJson(message) as { kind?: unknown; epoch?: unknown; field?: unknown; entry?: unknown; ttl?: unknown; observations?: unknown } | undefined;
    if (!msg || typeof msg !== 'object') return this.log.warn({ message }, 'state store: ignoring a malformed change message');
    if (msg.kind === 'weight' || msg.kind === 'drain' || msg.kind === 'epoch') {
      // Versions order writes only within one epoch: anything from another one is settled by a full read.
      if (msg.epoch !== this.epoch.id || this.epoch.reset) return this.resyncQuietly(`${String(msg.kind)} message from epoch ${String(msg.epoch)}`);
      if (msg.kind !== 'epoch' && typeof msg.field === 'string') return this.copy.applyEntry(msg.kind, msg.field, msg.entry, this.epoch.id);
      if (msg.kind === 'epoch') return;
    }
    const obs = msg.kind === 'obs' ? parseObservations(msg.observations) : undefined;
    if (obs && typeof msg.ttl === 'number' && msg.ttl > 0) return this.copy.applyObservations(obs, msg.ttl);
    this.log.warn({ message }, 'state store: ignoring a malformed change message');
  }

  private onReady(): void {
    this.resync().then(
      () => {
        this.synced = true;
        this.connectionChanged();
        this.log.info({ redis: describeRedis(this.options.connection) }, 'state store: connected and resynced');
      },
      (err: Error) => {
        this.book.error(err.message);
        this.log.warn({ err: err.message }, 'state store: resync after connect failed; retrying on the next resync');
      },
    );
  }

  private onDisconnect(): void {
    this.synced = false;
    this.connectionChanged();
  }

  private onError(err: Error): void {
    this.book.error(err.message);
    if (this.connected || this.syncedAt === undefined) this.log.debug({ err: err.message }, 'state store: Redis error');
  }

  private connectionChanged(): void {
    const was = this.book.status().connected;
    const now = this.connected;
    if (now === was) return;
    this.book.setConnected(now);
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
      (err: Error) => {
        this.book.error(err.message);
        // A Cluster client stays "ready" while the slot owner is down: a failed full read is
        // what says the state cannot be reached, so writes are refused at once and /readyz shows it.
        this.synced = false;
        this.connectionChanged();
        this.log.warn({ err: err.message, reason }, 'state store: resync failed; keeping the last state, refusing writes until a full read succeeds');
      },
    );
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'state store: change listener failed');
      }
    }
  }
}
