import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../shared/logger.js';
import { registerAlertmanagerRoute, type AlertmanagerRouteOptions } from './alertmanager-route.js';

/** A small Fastify server with only the Alertmanager webhook (health.alertmanager.listen), beside the admin API's mount. */
export interface AlertListener {
  readonly address: { host: string; port: number };
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the standalone webhook server without listening (tests use inject()). */
export function buildAlertServer(opts: AlertmanagerRouteOptions): FastifyInstance {
  const server = Fastify({ logger: false });
  registerAlertmanagerRoute(server, opts);
  return server;
}

/** Starts the standalone webhook server on host:port (port 0 picks a free one). */
export async function startAlertListener(listen: { host: string; port: number }, opts: AlertmanagerRouteOptions, log: Logger): Promise<AlertListener> {
  const server = buildAlertServer(opts);
  await server.listen({ host: listen.host, port: listen.port });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  log.info({ listen: `${listen.host}:${port}`, max_body: opts.maxBody }, 'Alertmanager webhook listening');
  return { address: { host: listen.host, port }, server, close: () => server.close() };
}
