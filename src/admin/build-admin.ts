import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { GeosteerError } from '../shared/errors.js';
import { DetailedError, type AdminOptions } from './admin-context.js';
import { registerAlertmanagerRoute } from './alertmanager-route.js';
import { allows, authenticate, type AdminIdentity } from './auth.js';
import { certificateIdentity } from './client-certificates.js';
import { HTTP_STATUS } from './error-status.js';
import { eventsRoute } from './events-route.js';
import { explainRoute } from './explain-route.js';
import { healthRoutes } from './health-routes.js';
import { namesRoutes } from './names-routes.js';
import { OPENAPI_DOCUMENT } from './openapi-document.js';
import { regionsRoutes } from './regions-routes.js';
import { reloadRoute } from './reload-route.js';
import { useErrorSchema } from './schemas.js';
import { stateRoutes } from './state-routes.js';
import { AJV_OPTIONS, parseQuery, printableKeyword, strictInput } from './strict-input.js';
import { registerSyncRoutes } from './sync-route.js';
import { validationMessage, type SchemaError } from './validation-message.js';

/**
 * The admin HTTP(S) server, wired but not listening: tests call inject(), the service calls
 * listen(). Every route has a JSON schema (which also produces /v1/openapi.json); input is
 * validated strictly (strict-input.ts); every error leaves through the one error handler
 * below as {error: CODE, message}.
 */
export function buildAdmin(opts: AdminOptions): FastifyInstance {
  const server = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    // With a CA, clients may present a certificate; one that does not verify gives no identity (bearer tokens still work).
    ...(opts.https ? { https: { key: opts.https.key, cert: opts.https.cert, ...(opts.https.ca ? { ca: opts.https.ca, requestCert: true, rejectUnauthorized: false } : {}) } } : {}),
    // req.ip takes X-Forwarded-For only from these proxies; default: the peer's address.
    trustProxy: opts.trustedProxies && opts.trustedProxies.length > 0 ? [...opts.trustedProxies] : false,
    ajv: { customOptions: AJV_OPTIONS, plugins: [printableKeyword] },
    routerOptions: { querystringParser: parseQuery },
  }) as unknown as FastifyInstance;
  strictInput(server);
  useErrorSchema(server);

  server.decorateRequest('adminToken', null);
  server.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config.access;
    if (access === undefined) return; // unknown route: the 404 handler answers
    if (access !== 'read' && access !== 'write' && opts.openEndpoints().includes(access)) return;
    const need = access === 'write' ? 'write' : 'read';
    const identity = identify(req, opts);
    if (!identity) {
      reply.header('www-authenticate', 'Bearer realm="geosteer"');
      throw new GeosteerError('UNAUTHORIZED', req.headers.authorization ? 'unknown bearer token' : 'missing bearer token: send Authorization: Bearer <token>');
    }
    const what = identity.via === 'token' ? 'token' : 'client certificate';
    if (!allows(identity.scope, need)) throw new GeosteerError('FORBIDDEN', `${what} ${identity.name} has scope ${identity.scope}; ${req.method} ${req.routeOptions.url} needs a ${need} token`);
    req.adminToken = identity;
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
    openapi: OPENAPI_DOCUMENT,
    // Shared schemas (the error body) become components.schemas.<$id>.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // Routes go in after swagger is loaded (avvio runs plugins in order), so its onRoute hook sees them.
  server.register(async (scope) => {
    healthRoutes(scope, opts);
    regionsRoutes(scope, opts);
    namesRoutes(scope, opts);
    explainRoute(scope, opts);
    eventsRoute(scope, opts);
    reloadRoute(scope, opts);
    stateRoutes(scope, opts);
    registerSyncRoutes(scope, () => opts.sync?.());
    // The webhook authenticates with its own token (Alertmanager's), not an admin token.
    if (opts.alerts) registerAlertmanagerRoute(scope, { ...opts.alerts, log: opts.log, mount: 'admin', now: opts.now });
    scope.get('/v1/openapi.json', { config: { access: 'read' }, schema: { hide: true } }, async () => server.swagger());
  });
  return server;
}

/** The caller: the bearer token when an Authorization header came, else a verified client certificate listed in admin.tls. */
function identify(req: FastifyRequest, opts: AdminOptions): AdminIdentity | undefined {
  if (req.headers.authorization !== undefined) {
    const token = authenticate(req.headers.authorization, opts.tokens());
    return token ? { name: token.name, scope: token.scope, via: 'token' } : undefined;
  }
  return certificateIdentity(req.socket, opts.clientCertificates?.() ?? []);
}
