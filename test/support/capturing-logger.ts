import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/shared/logger.js';

/** A real pino logger at `level` whose JSON lines land in `lines`, for asserting what an operator would read. */
export function capturingLogger(level = 'warn'): { log: Logger; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { log: pino({ level }, stream), lines };
}
