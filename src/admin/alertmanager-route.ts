import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAlertPayload } from '../health/alert-payload.js';
import type { AlertReceiver } from '../health/health-monitor.js';

// POST /v1/alerts/alertmanager: Alertmanager's webhook (version 4). A firing alert whose
// label names a region or endpoint holds it down until resolved or max_age. The admin server
// and the standalone listener (health.alertmanager.listen) mount the same module.

/** Path of the webhook; put it in Alertmanager's webhook_configs url. */
export const ALERTMANAGER_PATH = '/v1/alerts/alertmanager';

/** What the route needs: the token to expect (read per request: a reload may change it) and where the alerts go. */
export interface AlertmanagerRouteOptions {
  /** undefined while health.alertmanager is not configured: the route then answers 404. */
  readonly token: () => string | undefined;
  readonly receiver: AlertReceiver;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Registers the webhook route on a Fastify instance (the admin server, or the standalone listener). */
export function registerAlertmanagerRoute(app: FastifyInstance, opts: AlertmanagerRouteOptions): void {
  app.post(ALERTMANAGER_PATH, {
    // Authenticate before the body is parsed: an unauthenticated post is never looked at.
    onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
      const token = opts.token();
      if (token === undefined) {
        await reply.code(404).send({ error: 'NOT_FOUND', message: 'the Alertmanager webhook is off: configure health.alertmanager' });
        return;
      }
      if (!tokenMatches(req.headers.authorization, token)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'UNAUTHORIZED', message: 'authorization: expected "Bearer <health.alertmanager token>"' });
      }
    },
    errorHandler: (err, _req, reply) => {
      // Body parser failures (bad JSON, wrong content type, too large) keep their 4xx status.
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      void reply.code(status).send({ error: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: status === 500 ? 'internal error' : `body: ${err.message}` });
    },
    handler: async (req, reply) => {
      const parsed = parseAlertPayload(req.body);
      if (!parsed.ok) return reply.code(400).send({ error: 'BAD_REQUEST', message: 'not an Alertmanager webhook payload (version 4)', problems: parsed.problems });
      const change = opts.receiver.applyAlerts(parsed.alerts);
      return reply.code(200).send({
        fired: change.fired.map((a) => ({ fingerprint: a.fingerprint, region: a.target.region, endpoint: a.target.endpoint ?? null })),
        resolved: change.resolved.map((a) => ({ fingerprint: a.fingerprint, region: a.target.region, endpoint: a.target.endpoint ?? null })),
        refreshed: change.refreshed,
        ignored: change.ignored,
      });
    },
  });
}
