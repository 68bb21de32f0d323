// Turns Ajv's validation errors (Fastify runs Ajv with verbose: true so each error carries
// the failing value and its schema) into `field: expected ..., got ...` messages.

import { PRINTABLE } from './strict-input.js';

/** The subset of an Ajv error the message needs. */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly data?: unknown;
  readonly parentSchema?: Record<string, unknown>;
}

/** What a schema accepts, in words: "integer 0..100", "non-empty string", "one of a, b". */
export function describeSchema(schema: Record<string, unknown> | undefined): string {
  if (!schema) return 'a valid value';
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type ?? 'value');
  if (type === 'integer' || type === 'number') {
    const { minimum: min, maximum: max } = schema as { minimum?: number; maximum?: number };
    if (min !== undefined && max !== undefined) return `${type} ${min}..${max}`;
    if (min !== undefined) return `${type} >= ${min}`;
    if (max !== undefined) return `${type} <= ${max}`;
    return type;
  }
  if (type === 'string' && schema.format === 'date-time') return 'an RFC 3339 time like 2026-11-22T10:00:00Z';
  if (type === 'string') {
    const parts: string[] = [(schema.minLength as number) > 0 ? 'non-empty string' : 'string'];
    if (schema.maxLength !== undefined) parts.push(`of at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined) parts.push(`matching ${schema.pattern}`);
    return parts.join(' ');
  }
  return type;
}

/** The offending value for a message; long text is cut (the whole of it is the client's own). */
function shown(data: unknown): string {
  if (data === undefined) return 'nothing';
  if (typeof data === 'string' && data.length > 60) return `${JSON.stringify(data.slice(0, 40))}... (${data.length} characters)`;
  return JSON.stringify(data);
}

function fieldOf(path: string, context: string | undefined): string {
  const field = path.replace(/^\//, '').replace(/\//g, '.');
  return field === '' ? (context ?? 'request') : field;
}

/** One line per error: `weight: expected integer 0..100, got "heavy"`. */
export function validationMessage(errors: readonly SchemaError[], context: string | undefined): string {
  return errors
    .map((e) => {
      const field = fieldOf(e.instancePath, context);
      const prefix = field === context || e.instancePath === '' ? '' : `${field}`;
      switch (e.keyword) {
        case 'required':
          return `${prefix ? `${prefix}.` : ''}${String(e.params.missingProperty)}: required ${context === 'querystring' ? 'query parameter' : 'field'} is missing`;
        case 'additionalProperties': {
          const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
          return `${prefix ? `${prefix}.` : ''}${String(e.params.additionalProperty)}: unknown ${context === 'querystring' ? 'query parameter' : 'field'}; allowed: ${allowed.join(', ') || '(none)'}`;
        }
        case PRINTABLE:
          return `${field}: ${e.message}`;
        default:
          return `${field}: expected ${describeSchema(e.parentSchema)}, got ${shown(e.data)}`;
      }
    })
    .join('; ');
}
