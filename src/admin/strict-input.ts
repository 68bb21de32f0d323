import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GeosteerError } from '../shared/errors.js';

// How admin input is validated, the same way on every route: Ajv checks JSON bodies, path
// parameters and query strings against the route's schema with type coercion off (a body's
// `"force": 1` or `"weight": null` is a 400, never true or 0) and unknown fields as errors.
// Query strings are text by nature: before Ajv runs, a parameter declared integer or boolean
// is converted only from its one canonical spelling ("42", "true", "false"); anything else
// stays text and fails the type check with the text in the message.

/** Ajv options for every admin schema: no coercion, unknown fields are errors, errors carry the value and schema (for messages). */
export const AJV_OPTIONS = { coerceTypes: false, removeAdditional: false, useDefaults: true, verbose: true, allErrors: false };

/** The schema keyword for free text that is stored and shown (reasons): printable, one line. */
export const PRINTABLE = 'x-printable';

/** The part of Ajv's API the keyword plugin uses. */
interface KeywordHost {
  addKeyword(definition: { keyword: string; type: 'string'; schemaType: 'boolean'; errors: boolean; validate: KeywordCheck }): unknown;
}
type KeywordCheck = ((schema: boolean, data: string) => boolean) & { errors?: { keyword: string; message: string; params: Record<string, unknown> }[] };

/** Ajv plugin: `x-printable: true` refuses control characters, line separators, bidi controls, lone surrogates and blank text, saying which and where. */
export function printableKeyword<A extends KeywordHost>(ajv: A): A {
  const validate: KeywordCheck = (enabled, data) => {
    const problem = enabled ? unprintable(data) : undefined;
    validate.errors = problem ? [{ keyword: PRINTABLE, message: problem, params: {} }] : undefined;
    return problem === undefined;
  };
  ajv.addKeyword({ keyword: PRINTABLE, type: 'string', schemaType: 'boolean', errors: true, validate });
  return ajv;
}

const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/** What makes `text` unfit for an audit trail, or undefined when it is one line of printable text. */
export function unprintable(text: string): string | undefined {
  if (text.trim() === '') return 'blank text: say why in words';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++; // a surrogate pair: one astral character (emoji and the like are fine)
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) return `lone surrogate ${hex(c)} at position ${i}: not Unicode text (send the character itself, UTF-8 encoded)`;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return `control character ${hex(c)} at position ${i}: send one line of printable text`;
    if (c === 0x2028 || c === 0x2029) return `line separator ${hex(c)} at position ${i}: send one line of printable text`;
    // Bidirectional overrides and isolates make a log line read differently from what it holds.
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return `bidirectional control ${hex(c)} at position ${i}: send plain text`;
  }
  return undefined;
}

type JsonSchema = { readonly type?: unknown; readonly properties?: Readonly<Record<string, JsonSchema>> };

/** Names of the query parameters whose percent-encoding was not UTF-8 (kept out of the parsed query). */
const UNDECODABLE = Symbol('undecodable query parameters');

function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined; // not UTF-8 (a surrogate's bytes, a stray %): refused, never kept as raw text
  }
}

/**
 * Fastify's querystringParser: like the default, except that a name or value whose
 * percent-encoding is not UTF-8 is marked (and refused in preValidation) instead of being
 * kept as raw text. Repeated names give arrays.
 */
export function parseQuery(text: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> & { [UNDECODABLE]?: string[] } = Object.create(null);
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeComponent(eq === -1 ? part : part.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) {
      (query[UNDECODABLE] ??= []).push(name ?? (eq === -1 ? part : part.slice(0, eq)));
      continue;
    }
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

/** The canonical text of a query parameter declared integer or boolean, converted; any other value unchanged. */
function queryValue(value: unknown, declared: unknown): unknown {
  if (typeof value !== 'string') return value; // repeated parameters arrive as arrays and fail the type check
  if (declared === 'integer' && /^-?(0|[1-9][0-9]{0,14})$/.test(value)) return Number(value);
  if (declared === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** The request's query parameters with the declared integers and booleans converted from their canonical text. */
function typedQuery(req: FastifyRequest): void {
  const schema = req.routeOptions.schema?.querystring as JsonSchema | undefined;
  const query = req.query as Record<string, unknown> | undefined;
  if (!schema?.properties || !query) return;
  for (const [name, value] of Object.entries(query)) {
    const declared = schema.properties[name]?.type;
    if (declared !== undefined) query[name] = queryValue(value, declared);
  }
}

/**
 * Installs the request side of strict input on `server` (built with querystringParser: parseQuery): bodies must be valid UTF-8 (other
 * bytes are a 400, not U+FFFD in an audit entry), routes without
 * a body schema take no body, and query parameters are converted as described above.
 */
export function strictInput(server: FastifyInstance): void {
  const parseJson = server.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  server.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new GeosteerError('BAD_REQUEST', 'body: not valid UTF-8; send JSON encoded as UTF-8'), undefined);
      return;
    }
    parseJson(req, text, done);
  });
  server.addHook('preValidation', async (req) => {
    if (req.routeOptions.schema?.body === undefined && req.body !== undefined && req.body !== null) {
      throw new GeosteerError('BAD_REQUEST', `body: ${req.method} ${req.routeOptions.url} takes no body${req.method === 'DELETE' ? '; send reason and force in the query string' : ''}`);
    }
    const undecodable = (req.query as { [UNDECODABLE]?: string[] } | undefined)?.[UNDECODABLE];
    if (undecodable) throw new GeosteerError('BAD_REQUEST', `${undecodable[0]}: query parameter is not percent-encoded UTF-8`);
    typedQuery(req);
  });
}
