import type { Logger } from '../shared/logger.js';

/**
 * Warns about refused requests without flooding the log: the first refusal of a kind is
 * logged at once, later ones within `intervalMs` only counted, and the count goes into the
 * next line of that kind (`suppressed`).
 */
export class RefusalLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs (or counts) one refusal of `kind`. */
  refused(kind: string, fields: Record<string, unknown>, message: string): void {
    const at = this.now();
    const last = this.last.get(kind);
    if (last && at - last.at < this.intervalMs) {
      last.suppressed++;
      return;
    }
    this.log.warn({ ...fields, refused: kind, suppressed: last?.suppressed ?? 0 }, message);
    this.last.set(kind, { at, suppressed: 0 });
  }
}
