import type { FastifyInstance } from 'fastify';
import type { AdminOptions } from './admin-context.js';

const readiness = {
  type: 'object',
  additionalProperties: true,
  properties: { ready: { type: 'boolean' }, config: { type: 'boolean' }, geoip: { type: 'boolean' }, listeners: { type: 'boolean' }, geoip_generation: { type: 'integer' } },
} as const;

/** GET /healthz (the process answers), GET /readyz (config, GeoIP and listeners are up), GET /metrics. */
export function healthRoutes(server: FastifyInstance, opts: AdminOptions): void {
  server.get('/healthz', {
    config: { access: 'healthz' },
    schema: { summary: 'Liveness: the process answers', tags: ['health'], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
    handler: async () => ({ status: 'ok' }),
  });
  server.get('/readyz', {
    config: { access: 'readyz' },
    schema: { summary: 'Readiness: config loaded, GeoIP open, DNS listeners bound', tags: ['health'], response: { 200: readiness, 503: readiness } },
    handler: async (_req, reply) => {
      const r = opts.ready();
      return reply.code(r.ready ? 200 : 503).send(r);
    },
  });
  server.get('/metrics', {
    config: { access: 'metrics' },
    schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['health'], produces: ['text/plain'] },
    handler: async (_req, reply) => {
      if (!opts.metrics) return reply.code(404).send({ error: 'NOT_FOUND', message: 'metrics are not enabled in this process' });
      const { contentType, body } = await opts.metrics.render();
      return reply.type(contentType).send(body);
    },
  });
}
