import { pino } from 'pino';

/** The logging surface every module takes as a parameter (pino's, object first). */
export interface Logger {
  trace(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  fatal(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Structured JSON logs on stdout; one per process, created by the entry point. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'geosteer' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that drops everything, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
