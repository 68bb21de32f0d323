import type { Logger } from '../shared/logger.js';
import type { StateStoreStatus, StoreReset } from './state-store.js';

/** What the store itself knows, merged into every status. */
export interface StatusFacts {
  readonly lastSyncAt: number | undefined;
  readonly epoch: string | undefined;
  readonly reset: StoreReset | undefined;
}

/**
 * The counters and connection history behind `StoreHealth.status()`, and its listeners.
 * The store reports what happens (connected, error, refused, reset); the book keeps the
 * tallies, so every store counts the same way.
 */
export class StatusBook {
  private connected = false;
  private everConnected = false;
  private since: number;
  private reconnects = 0;
  private lastError: { message: string; at: number } | undefined;
  private resetsDetected = 0;
  private writesRefused = 0;
  private readonly listeners = new Set<(status: StateStoreStatus) => void>();

  constructor(
    private readonly kind: string,
    private readonly now: () => number,
    private readonly facts: () => StatusFacts,
    private readonly log?: Logger,
  ) {
    this.since = now();
  }

  /** The connection is usable (true) or lost (false); counts reconnects and tells listeners on a change. */
  setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.since = this.now();
    if (connected && this.everConnected) this.reconnects++;
    this.everConnected ||= connected;
    this.changed();
  }

  /** Remembers the latest error (read on demand; does not notify: errors repeat on every retry). */
  error(message: string): void {
    this.lastError = { message, at: this.now() };
  }

  /** Counts a refused weight or drain write. */
  refused(): void {
    this.writesRefused++;
  }

  /** Counts a detected data loss and tells listeners. */
  resetDetected(): void {
    this.resetsDetected++;
    this.changed();
  }

  /** Tells listeners that the epoch or the reset state changed. */
  changed(): void {
    const status = this.status();
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (err) {
        this.log?.error({ err: (err as Error).message }, 'state store: status listener failed');
      }
    }
  }

  status(): StateStoreStatus {
    const facts = this.facts();
    return {
      kind: this.kind,
      connected: this.connected,
      writable: this.connected && facts.reset === undefined,
      since: this.since,
      reconnects: this.reconnects,
      lastError: this.lastError,
      lastSyncAt: facts.lastSyncAt,
      epoch: facts.epoch,
      reset: facts.reset,
      resetsDetected: this.resetsDetected,
      writesRefused: this.writesRefused,
    };
  }

  onStatus(listener: (status: StateStoreStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
