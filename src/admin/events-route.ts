import type { FastifyInstance } from 'fastify';
import type { EventType } from '../events/event-log.js';
import type { AdminOptions } from './admin-context.js';

/** GET /v1/events: transitions and audit entries, newest first, paginated by id cursor. */
export function eventsRoute(server: FastifyInstance, opts: AdminOptions): void {
  server.get<{ Querystring: { limit: number; before?: number; type?: EventType; region?: string } }>('/v1/events', {
    config: { access: 'read' },
    schema: {
      summary: 'Events newest first; pass next_before as before= for the next page',
      tags: ['events'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          before: { type: 'integer', minimum: 1, description: 'Only events with a smaller id (the cursor from next_before)' },
          type: { type: 'string', pattern: '^[a-z_]+$', maxLength: 40, description: 'e.g. audit, failover, region_down, config_reloaded' },
          region: { type: 'string', minLength: 1, maxLength: 100 },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: { events: { type: 'array', items: { type: 'object', additionalProperties: true } }, next_before: { type: ['integer', 'null'] } },
        },
      },
    },
    handler: async (req) => {
      const { limit, before, type, region } = req.query;
      // One extra tells whether another page exists.
      const page = opts.app.events.list({ limit: limit + 1, before, type, region });
      const events = page.slice(0, limit);
      return { events, next_before: page.length > limit ? events[events.length - 1].id : null };
    },
  });
}
