import Fastify, { type FastifyInstance } from 'fastify';
import type { AdminOptions } from './admin-context.js';
import { healthRoutes } from './health-routes.js';

/**
 * The server of admin.open_listen: /healthz, /readyz and /metrics and nothing else, without
 * a token, so probes and Prometheus reach them while the API itself stays private (loopback,
 * or TLS with client certificates). Wired but not listening, like buildAdmin.
 */
export function buildOpenAdmin(opts: Pick<AdminOptions, 'ready' | 'metrics'>): FastifyInstance {
  const server = Fastify({ logger: false, bodyLimit: 1024 });
  healthRoutes(server, opts);
  server.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}; this listener (admin.open_listen) serves /healthz, /readyz and /metrics only` }));
  return server;
}
