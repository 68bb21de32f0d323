import type { FastifyInstance } from 'fastify';
import { PRINTABLE } from './strict-input.js';

// Schema pieces every route shares: the reason every write needs, force, and the error body
// each 4xx/5xx answer carries (documented per route in /v1/openapi.json).

/** Id of the shared error body schema (added to the server with addSchema). */
export const ERROR_SCHEMA_ID = 'Error';

/** The body of every error answer: `{error: CODE, message}`, plus detail some errors carry (stranded, problems). */
export const errorSchema = {
  $id: ERROR_SCHEMA_ID,
  type: 'object',
  description: 'An error: a stable code and a message that names the field or thing and what to do',
  required: ['error', 'message'],
  additionalProperties: true,
  properties: {
    error: { type: 'string', description: 'BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, CONFIG_INVALID, STATE_UNAVAILABLE, INTERNAL' },
    message: { type: 'string' },
  },
} as const;

/** Adds the error body schema to `server` unless it (or a parent) has it; every route module that refers to it calls this. */
export function useErrorSchema(server: FastifyInstance): void {
  if (server.getSchema(ERROR_SCHEMA_ID) === undefined) server.addSchema(errorSchema);
}

const ERROR_WORDS: Record<number, string> = {
  400: 'Bad request: the message names the field and the problem; nothing changed',
  401: 'Missing or unknown bearer token (or client certificate)',
  403: 'The token’s scope does not allow this',
  404: 'Unknown region, name or route',
  409: 'Conflict: the change would strand a first tier (send force), or the state does not allow it',
  413: 'Body larger than allowed',
  422: 'The config file was refused; the old config keeps serving',
  503: 'Not available now (state store or event log unreachable, or not ready)',
};

/** OpenAPI responses for the given error statuses, each with the shared error body. */
export function errorResponses(...statuses: number[]): Record<string, { description: string; $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [s, { description: ERROR_WORDS[s], $ref: `${ERROR_SCHEMA_ID}#` }]));
}

/** The statuses every authenticated read can answer. */
export const READ_ERRORS = [400, 401] as const;
/** The statuses every write can answer (503: the state store refused the write). */
export const WRITE_ERRORS = [400, 401, 403, 503] as const;

/** Why a change was made: required for every write, kept in the audit log. */
export const reasonSchema = { type: 'string', minLength: 1, maxLength: 500, [PRINTABLE]: true, description: 'Why; kept in the audit log. One line of printable text, at most 500 characters.' } as const;

/** Apply a change that would strand a first tier. */
export const forceSchema = { type: 'boolean', description: 'Apply even when a first tier would lose its last usable region (JSON true/false; in a query string: true or false).' } as const;
