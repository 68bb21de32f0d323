import type { FastifyInstance } from 'fastify';
import { EVENT_TYPES, type EventLog, type EventQuery, type EventType, type GeosteerEvent } from '../events/event-log.js';
import { GeosteerError } from '../shared/errors.js';
import type { AdminOptions } from './admin-context.js';
import { errorResponses, READ_ERRORS } from './schemas.js';

/** The log's newest events for a view; while a shared log is unreachable, this instance's own (the view still answers). */
export async function recentEvents(events: EventLog, query: EventQuery): Promise<readonly GeosteerEvent[]> {
  try {
    return (await events.page(query)).events;
  } catch (err) {
    if (err instanceof GeosteerError && err.code === 'STATE_UNAVAILABLE') return events.list(query);
    throw err;
  }
}

const eventSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'at', 'type', 'cause'],
  properties: {
    id: { type: 'string', description: 'Cursor: pass as before= to page on' },
    at: { type: 'integer', description: 'ms since the epoch' },
    type: { type: 'string', enum: [...EVENT_TYPES] },
    cause: { type: 'string' },
    instance: { type: 'string', description: 'The instance that recorded it (shared log)' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    name: { type: 'string' },
    detail: { type: 'object', additionalProperties: true, description: 'audit: token, via, from, action, before, after, force, reason' },
  },
} as const;

/** GET /v1/events: transitions and audit entries, newest first, paginated by cursor, filtered by type, region and time. */
export function eventsRoute(server: FastifyInstance, opts: AdminOptions): void {
  server.get<{ Querystring: { limit: number; before?: string; type?: EventType; region?: string; since?: string } }>('/v1/events', {
    config: { access: 'read' },
    schema: {
      operationId: 'listEvents',
      summary: 'Events newest first; pass next_before as before= for the next page',
      description: 'With state.store: redis the log is a capped Redis stream shared by every instance (503 while Redis is unreachable); with memory, this instance’s last 10000 events.',
      tags: ['events'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          before: { type: 'string', pattern: '^[0-9]{1,16}(-[0-9]{1,16})?$', description: 'Only events older than this cursor (next_before of the previous page)' },
          type: { type: 'string', enum: [...EVENT_TYPES], description: 'Only events of this type' },
          region: { type: 'string', minLength: 1, maxLength: 100, description: 'Only events about this region' },
          since: { type: 'string', format: 'date-time', description: 'Only events at or after this time (RFC 3339)' },
        },
      },
      response: {
        200: {
          description: 'A page of events',
          type: 'object',
          properties: { events: { type: 'array', items: eventSchema }, next_before: { type: ['string', 'null'] } },
        },
        ...errorResponses(...READ_ERRORS, 503),
      },
    },
    handler: async (req) => {
      const { limit, before, type, region, since } = req.query;
      const page = await opts.app.events.page({ limit, before, type, region, since: since === undefined ? undefined : Date.parse(since) });
      return { events: page.events, next_before: page.nextBefore };
    },
  });
}
