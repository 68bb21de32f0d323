import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../shared/logger.js';

/**
 * One part of a running service. The service keeps its parts as an ordered list: start()
 * walks it in order, stop() in reverse, reload() in order, each step awaited.
 */
export interface Subsystem {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies a reloaded config (what can be applied without dropping a query). */
  reload?(next: LoadedConfig, previous: LoadedConfig): Promise<void>;
}

/** Starts `parts` in order; when one fails, stops those already started (in reverse) and rethrows. */
export async function startAll(parts: readonly Subsystem[], log: Logger): Promise<void> {
  const started: Subsystem[] = [];
  for (const part of parts) {
    try {
      await part.start();
    } catch (err) {
      await stopAll(started, log);
      throw err;
    }
    started.push(part);
  }
}

/** Stops `parts` in reverse order, each awaited; a failing stop is logged and the rest still stop. */
export async function stopAll(parts: readonly Subsystem[], log: Logger): Promise<void> {
  for (const part of [...parts].reverse()) {
    try {
      await part.stop();
    } catch (err) {
      log.error({ err, subsystem: part.name }, 'stopping failed');
    }
  }
}

/** Reloads `parts` in order; returns the failures (each logged), the others still reload. */
export async function reloadAll(parts: readonly Subsystem[], next: LoadedConfig, previous: LoadedConfig, log: Logger): Promise<string[]> {
  const failures: string[] = [];
  for (const part of parts) {
    if (!part.reload) continue;
    try {
      await part.reload(next, previous);
    } catch (err) {
      log.error({ err, subsystem: part.name }, 'reload of a part failed; it keeps its previous settings');
      failures.push(`${part.name}: ${(err as Error).message}`);
    }
  }
  return failures;
}
