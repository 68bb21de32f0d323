import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AdminOptions } from './admin-context.js';
import { errorResponses, useErrorSchema } from './schemas.js';

const stateView = {
  type: 'object',
  additionalProperties: true,
  description: 'The state store: connected, writable (weight/drain writes accepted), a pending reset, and whether it gates readiness (state.readiness)',
  properties: {
    kind: { type: 'string' },
    readiness: { type: 'string', enum: ['report', 'gate'] },
    connected: { type: 'boolean' },
    writable: { type: 'boolean' },
    since: { type: 'integer', description: 'when connected last changed, ms since the epoch' },
    last_sync_at: { type: ['integer', 'null'], description: 'last full read, ms since the epoch' },
    reconnects: { type: 'integer' },
    last_error: { type: ['object', 'null'], additionalProperties: true },
    reset: { type: ['object', 'null'], additionalProperties: true, description: 'a detected data loss waiting for POST /v1/state/reset' },
  },
} as const;

const readiness = {
  type: 'object',
  additionalProperties: true,
  properties: { ready: { type: 'boolean' }, config: { type: 'boolean' }, geoip: { type: 'boolean' }, listeners: { type: 'boolean' }, geoip_generation: { type: 'integer' }, state: stateView },
} as const;

/** Answers when an endpoint is not in admin.open_endpoints and no token came. */
const unlessOpen = errorResponses(401, 403);

/** GET /healthz (the process answers), GET /readyz (config, GeoIP, listeners, state store), GET /metrics. */
export function healthRoutes(server: FastifyInstance, opts: Pick<AdminOptions, 'ready' | 'metrics'>): void {
  useErrorSchema(server);
  server.get('/healthz', {
    config: { access: 'healthz' },
    schema: { operationId: 'getHealth', summary: 'Liveness: the process answers', tags: ['health'], response: { 200: { description: 'Alive', type: 'object', properties: { status: { type: 'string' } } }, ...unlessOpen } },
    handler: async () => ({ status: 'ok' }),
  });
  server.get('/readyz', {
    config: { access: 'readyz' },
    schema: {
      operationId: 'getReadiness',
      summary: 'Readiness: config loaded, GeoIP open, DNS listeners bound; the state store reported (or, with state.readiness: gate, required writable)',
      tags: ['health'],
      response: { 200: { description: 'Ready', ...readiness }, 503: { description: 'Not ready: the false parts say why', ...readiness }, ...unlessOpen },
    },
    handler: async (_req, reply) => {
      const r = opts.ready();
      return reply.code(r.ready ? 200 : 503).send(r);
    },
  });
  server.get('/metrics', {
    config: { access: 'metrics' },
    schema: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (text exposition format)',
      tags: ['health'],
      response: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errorResponses(401, 403, 404) },
    },
    handler: async (_req, reply: FastifyReply) => {
      if (!opts.metrics) return reply.code(404).send({ error: 'NOT_FOUND', message: 'metrics are not enabled in this process' });
      const { contentType, body } = await opts.metrics.render();
      return reply.type(contentType).send(body);
    },
  });
}
