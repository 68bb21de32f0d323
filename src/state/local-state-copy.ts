import type { Logger } from '../shared/logger.js';
import type { DrainInfo, InstanceObservations, SharedState } from './state-store.js';
import { parseDrainEntry, parseJson, parseObservations, parseWeightEntry, sameTargets, type VersionedEntry } from './versioned-entry.js';

// What a RedisStateStore serves reads from: every weight and drain with the version Redis
// gave it, and other instances' observations with an expiry on our clock. The DNS path reads
// `current()`; nothing here does I/O.

interface ObservationEntry {
  readonly observations: InstanceObservations;
  /** Local clock, so other instances' clock skew cannot keep them alive. */
  readonly expiresAt: number;
}

/** One full read of Redis: raw hash fields, the version counter, and live observations with their PTTL. */
export interface FullRead {
  readonly weights: Record<string, string>;
  readonly drains: Record<string, string>;
  readonly counter: number;
  readonly observed: readonly { text: string; ttl: number }[];
}

/**
 * A full read on its way to Redis. It is judged against the highest version seen when it
 * was sent, not when its reply is taken: a change message travels on the subscriber
 * connection and can be applied before the reply to a read Redis ran earlier, so a newer
 * version seen meanwhile says nothing about lost writes. The entries applied while it is out
 * survive a wholesale replacement (they are newer than what it read).
 */
export interface ReadInFlight {
  readonly seenAtSend: number;
  readonly arrived: { readonly kind: 'weight' | 'drain'; readonly field: string; readonly stored: unknown; readonly epoch: string | undefined }[];
  /** Instances whose observations were announced while it was out: what the read holds of them is not newer. */
  readonly observedSince: Set<string>;
}

/** An override as the confirm script re-writes it: [field, value JSON, at, by]. */
export type KeptEntry = [string, string, string, string];

/** The local copy of the shared state; `onChange` runs after every change of what `current()` returns. */
export class LocalStateCopy {
  private readonly weights = new Map<string, VersionedEntry<number>>();
  private readonly drains = new Map<string, VersionedEntry<DrainInfo>>();
  private readonly observations = new Map<string, ObservationEntry>();
  private readonly readsInFlight = new Set<ReadInFlight>();
  private state: SharedState | undefined;
  private generation = 0;
  /** Highest version (entry or counter) read in this epoch; a counter below it means lost writes. */
  maxVersionSeen = 0;

  constructor(
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {}

  current(): SharedState {
    const now = this.now();
    let expired = false;
    for (const [id, entry] of this.observations) {
      if (entry.expiresAt <= now) {
        this.observations.delete(id);
        expired = true;
      }
    }
    if (expired) this.generation++;
    if (expired || !this.state) this.state = this.build();
    return this.state;
  }

  /** Applies one entry written or announced in data generation `epoch`, unless the copy holds a newer one. */
  applyEntry(kind: 'weight' | 'drain', field: string, stored: unknown, epoch: string | undefined): void {
    for (const read of this.readsInFlight) read.arrived.push({ kind, field, stored, epoch });
    if (this.applyQuietly(kind, field, stored)) this.changed();
  }

  /** A full read is being sent; hand its reply to `takeFullRead`, and call `readEnded` either way. */
  readSent(): ReadInFlight {
    const read: ReadInFlight = { seenAtSend: this.maxVersionSeen, arrived: [], observedSince: new Set() };
    this.readsInFlight.add(read);
    return read;
  }

  readEnded(read: ReadInFlight): void {
    this.readsInFlight.delete(read);
  }

  applyObservations(obs: InstanceObservations, ttlMs: number): void {
    for (const read of this.readsInFlight) read.observedSince.add(obs.instance);
    const prev = this.observations.get(obs.instance);
    this.observations.set(obs.instance, { observations: obs, expiresAt: this.now() + ttlMs });
    if (!prev || !sameTargets(prev.observations.targets, obs.targets)) this.changed();
  }

  /**
   * Takes a full read. Overrides: merged by version (Redis wins for every entry up to the
   * counter; newer local ones came by pub/sub after the read), replaced `wholesale` after a
   * confirmed reset, or left alone (`keep`, a reset is pending). A wholesale replacement
   * keeps what arrived in `epoch` (the generation now followed) while the read was out.
   * Observations always, but for instances announced while the read was out (the
   * announcement is as new as the read, or newer: an instance that just joined is not
   * dropped for missing from it).
   */
  takeFullRead(read: FullRead, overrides: 'merge' | 'wholesale' | 'keep', sent: ReadInFlight, epoch: string | undefined): void {
    let changed = false;
    if (overrides !== 'keep') {
      const wholesale = overrides === 'wholesale';
      changed = this.mergeAll(this.weights, read.weights, parseWeightEntry, read.counter, wholesale) || changed;
      changed = this.mergeAll(this.drains, read.drains, parseDrainEntry, read.counter, wholesale) || changed;
      this.maxVersionSeen = wholesale ? read.counter : Math.max(this.maxVersionSeen, read.counter);
      if (wholesale) for (const a of sent.arrived) if (a.epoch === epoch) changed = this.applyQuietly(a.kind, a.field, a.stored) || changed;
    }
    const live = new Set<string>();
    for (const { text, ttl } of read.observed) {
      const obs = parseObservations(parseJson(text));
      if (!obs) continue;
      live.add(obs.instance);
      if (sent.observedSince.has(obs.instance)) continue;
      const prev = this.observations.get(obs.instance);
      if (!prev || !sameTargets(prev.observations.targets, obs.targets)) changed = true;
      // PTTL measured now, on our clock: the same expiry Redis applies
      this.observations.set(obs.instance, { observations: obs, expiresAt: this.now() + ttl });
    }
    for (const id of [...this.observations.keys()]) {
      if (!live.has(id) && !sent.observedSince.has(id)) {
        this.observations.delete(id);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  /** The overrides in effect, as the confirm script re-writes them (tombstones left out). */
  kept(): { weights: KeptEntry[]; drains: KeptEntry[] } {
    const list = <T>(m: Map<string, VersionedEntry<T>>): KeptEntry[] => [...m].filter(([, e]) => e.value !== null).map(([field, e]) => [field, JSON.stringify(e.value), String(e.at), e.by]);
    return { weights: list(this.weights), drains: list(this.drains) };
  }

  private mergeAll<T>(local: Map<string, VersionedEntry<T>>, stored: Record<string, string>, parse: (x: unknown) => VersionedEntry<T> | undefined, counter: number, wholesale: boolean): boolean {
    let changed = false;
    for (const [field, text] of Object.entries(stored)) {
      const entry = parse(parseJson(text));
      if (!entry) {
        this.log.warn({ field, text }, 'state store: ignoring a malformed entry in Redis');
        continue;
      }
      const prev = local.get(field);
      if (wholesale || !prev || prev.version < entry.version || (prev.version <= counter && prev.version !== entry.version)) {
        local.set(field, entry);
        changed ||= JSON.stringify(prev?.value ?? null) !== JSON.stringify(entry.value);
      }
      this.maxVersionSeen = Math.max(this.maxVersionSeen, entry.version);
    }
    for (const [field, prev] of [...local]) {
      if (!(field in stored) && (wholesale || prev.version <= counter)) {
        local.delete(field);
        changed ||= prev.value !== null;
      }
    }
    return changed;
  }

  /** Applies one entry unless the copy holds a newer one; true when what `current()` returns changed. */
  private applyQuietly(kind: 'weight' | 'drain', field: string, stored: unknown): boolean {
    return kind === 'weight' ? this.apply(this.weights, field, parseWeightEntry(stored)) : this.apply(this.drains, field, parseDrainEntry(stored));
  }

  private apply<T>(local: Map<string, VersionedEntry<T>>, field: string, entry: VersionedEntry<T> | undefined): boolean {
    if (!entry) return false;
    const prev = local.get(field);
    if (prev && prev.version >= entry.version) return false; // an older write never replaces a newer one
    local.set(field, entry);
    this.maxVersionSeen = Math.max(this.maxVersionSeen, entry.version);
    return JSON.stringify(prev?.value ?? null) !== JSON.stringify(entry.value);
  }

  private build(): SharedState {
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
    this.onChange();
  }
}
