import type { ErrorCode } from '../shared/errors.js';

/** The one table from error code to HTTP status; every code must be listed (the type checks it). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CONFIG_INVALID: 422,
  CONFIG_UNREADABLE: 422,
  GEOIP_UNAVAILABLE: 503,
  STATE_UNAVAILABLE: 503,
  LISTEN_FAILED: 500,
};
