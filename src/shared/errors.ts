/** Stable error codes; the admin API maps them to HTTP statuses in one place. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'GEOIP_UNAVAILABLE'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'CONFLICT'
  | 'STATE_UNAVAILABLE'
  | 'LISTEN_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN';

/** The one error base class: a stable code plus a message that tells the operator what to fix. */
export class GeosteerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GeosteerError';
  }
}

/** A config file that cannot be used; `problems` lists them, each as `path: what is wrong` (the first of `total`, when a long list was cut). */
export class ConfigError extends GeosteerError {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
    total = problems.length,
  ) {
    super('CONFIG_INVALID', `${source}: ${total} problem(s):\n${problems.map((p) => `  ${source}: ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
