import type { Logger } from '../shared/logger.js';
import type { SyncTimers } from './sync-timers.js';
import type { LeaseState, WriterLease } from './writer-lease.js';

// Holds this instance's writer lease between passes: renewed every third of its TTL while
// held, so that leadership stays put instead of passing to whichever instance a snapshot
// change wakes first; released on stop() so a standby takes over without waiting a TTL.

/** Keeps one holder's lease (see the header). */
export class LeaseKeeper {
  private cancelRenewal: (() => void) | undefined;
  private state: LeaseState | undefined;
  private stopped = false;

  constructor(
    private readonly lease: WriterLease,
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly timers: SyncTimers,
    private readonly log: Logger,
    private readonly onChange: (state: LeaseState) => void,
  ) {}

  /** The last known state, if any. */
  current(): LeaseState | undefined {
    return this.state;
  }

  /** Takes or renews the lease now and keeps renewing it while held. */
  async ensure(): Promise<LeaseState> {
    const state = await this.lease.acquire(this.holder, this.ttlMs);
    if (this.stopped) return state;
    if (state.held !== this.state?.held || state.holder !== this.state?.holder) {
      this.log.info({ holder: state.holder, held: state.held }, state.held ? 'cloudflare sync: this instance is the writer for its owner id' : 'cloudflare sync: another instance writes for this owner id; standing by');
    }
    this.state = state;
    this.onChange(state);
    this.cancelRenewal?.();
    this.cancelRenewal = state.held ? this.timers.setTimeout(() => void this.renew(), Math.max(1, Math.floor(this.ttlMs / 3))) : undefined;
    return state;
  }

  private async renew(): Promise<void> {
    try {
      await this.ensure();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cloudflare sync: writer lease renewal failed; retrying');
      if (!this.stopped) this.cancelRenewal = this.timers.setTimeout(() => void this.renew(), Math.max(1, Math.floor(this.ttlMs / 3)));
    }
  }

  /** Stops renewing and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRenewal?.();
    if (this.state?.held) await this.lease.release(this.holder).catch((err: Error) => this.log.warn({ err: err.message }, 'cloudflare sync: writer lease release failed; it expires on its own'));
  }
}
