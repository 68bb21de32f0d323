import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { GeosteerError } from '../shared/errors.js';
import { DetailedError, type AdminOptions } from './admin-context.js';
import { registerAlertmanagerRoute } from './alertmanager-route.js';
import { allows, authenticate } from './auth.js';
import { HTTP_STATUS } from './error-status.js';
import { eventsRoute } from './events-route.js';
import { explainRoute } from './explain-route.js';
import { healthRoutes } from './health-routes.js';
import { namesRoutes } from './names-routes.js';
import { regionsRoutes } from './regions-routes.js';
import { reloadRoute } from './reload-route.js';
import { registerSyncRoutes } from './sync-route.js';
import { validationMessage, type SchemaError } from './validation-message.js';

/**
 * The admin HTTP server, wired but not listening: tests call inject(), the CLI calls
 * listen(). Every route has a JSON schema (which also produces /v1/openapi.json); every
 * error leaves through the one error handler below as {error: CODE, message}.
 */
export function buildAdmin(opts: AdminOptions): FastifyInstance {
  const server = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    // verbose: errors carry the value and schema (for messages); unknown fields are errors, not dropped.
    ajv: { customOptions: { removeAdditional: false, verbose: true, allErrors: false } },
  });

  server.decorateRequest('adminToken', null);
  server.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config.access;
    if (access === undefined) return; // unknown route: the 404 handler answers
    if (access !== 'read' && access !== 'write' && opts.openEndpoints().includes(access)) return;
    const need = access === 'write' ? 'write' : 'read';
    const token = authenticate(req.headers.authorization, opts.tokens());
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="geosteer"');
      throw new GeosteerError('UNAUTHORIZED', req.headers.authorization ? 'unknown bearer token' : 'missing bearer token: send Authorization: Bearer <token>');
    }
    if (!allows(token.scope, need)) throw new GeosteerError('FORBIDDEN', `token ${token.name} has scope ${token.scope}; ${req.method} ${req.routeOptions.url} needs a ${need} token`);
    req.adminToken = token;
  });

  server.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      return reply.code(400).send({ error: 'BAD_REQUEST', message: validationMessage(err.validation as unknown as SchemaError[], err.validationContext) });
    }
    if (err instanceof GeosteerError) {
      const extra = err instanceof DetailedError ? err.detail : {};
      return reply.code(HTTP_STATUS[err.code]).send({ ...extra, error: err.code, message: err.message });
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: 'BAD_REQUEST', message: err.message });
    }
    opts.log.error({ err, method: req.method, url: req.url }, 'admin request failed');
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal error; the server log has the details' });
  });
  server.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}; the routes are listed at /v1/openapi.json` }));

  server.register(fastifySwagger, {
    openapi: {
      info: { title: 'geosteer admin API', version: '1', description: 'Weights, drains, explain, events, reload, health and metrics of a geosteer instance.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // Routes go in after swagger is loaded (avvio runs plugins in order), so its onRoute hook sees them.
  server.register(async (scope) => {
    healthRoutes(scope, opts);
    regionsRoutes(scope, opts);
    namesRoutes(scope, opts);
    explainRoute(scope, opts);
    eventsRoute(scope, opts);
    reloadRoute(scope, opts);
    registerSyncRoutes(scope, () => opts.sync?.());
    // The webhook authenticates with its own token (Alertmanager's), not an admin token.
    if (opts.alerts) registerAlertmanagerRoute(scope, opts.alerts);
    scope.get('/v1/openapi.json', { config: { access: 'read' }, schema: { hide: true } }, async () => server.swagger());
  });
  return server;
}
