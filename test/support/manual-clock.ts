import { setImmediate as nextTurn } from 'node:timers/promises';
import type { TimerHandle, Timers } from '../../src/shared/timers.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock and timers that move only when the test says so. `advanceTo` fires every due timer
 * in time order (ties in the order they were set), setting `now()` to each timer's time and
 * letting the work it started settle before the next one fires: minutes of checks replay in
 * milliseconds, exactly, without sleeping.
 */
export class ManualClock implements Timers {
  private time: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();

  constructor(start: number) {
    this.time = start;
  }

  /** The current time, ms since the epoch; pass as `now`. */
  readonly now = (): number => this.time;

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const p: Pending = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn };
    this.pending.add(p);
    return p;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as Pending);
  }

  /**
   * Moves time to `until`, firing due timers one by one; after each, awaits `settle` (by
   * default one turn of the event loop, enough for promise chains that do no I/O) and calls
   * `afterEach` with the time it fired at.
   */
  async advanceTo(until: number, opts: { settle?: () => Promise<void>; afterEach?: (at: number) => Promise<void> | void } = {}): Promise<void> {
    const settle = opts.settle ?? (() => nextTurn());
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending) if (p.at <= until && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      this.pending.delete(next);
      this.time = next.at;
      next.fn();
      await settle();
      await opts.afterEach?.(next.at);
    }
    this.time = until;
  }
}
