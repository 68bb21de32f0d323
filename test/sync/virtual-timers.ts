import type { SyncTimers } from '../../src/sync/sync-timers.js';

/**
 * SyncTimers on a virtual clock. sleep() moves the clock forward and resolves at once (a run
 * that paces or waits out a Retry-After finishes without real waiting, and `slept` records
 * it); setTimeout() callbacks fire only when the test moves time with advance() or
 * fireNext(), so the test decides when the scheduler's next pass happens.
 */
export class VirtualTimers implements SyncTimers {
  private t: number;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  /** Every sleep, in ms, in order. */
  readonly slept: number[] = [];

  constructor(start = Date.UTC(2026, 10, 22, 0, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const id = this.seq++;
    this.pending.set(id, { at: this.t + Math.max(0, ms), fn });
    return () => void this.pending.delete(id);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.slept.push(ms);
    this.t += ms;
  }

  /** Timers armed and not yet fired, earliest first. */
  due(): number[] {
    return [...this.pending.values()].map((p) => p.at).sort((a, b) => a - b);
  }

  /** Moves the clock forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.pending.entries()].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.pending.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = Math.max(this.t, end);
  }

  /** Moves the clock to the earliest timer and fires it (and any others due then). */
  fireNext(): void {
    const at = this.due()[0];
    if (at === undefined) throw new Error('no timer is armed');
    this.advance(Math.max(0, at - this.t));
  }
}
