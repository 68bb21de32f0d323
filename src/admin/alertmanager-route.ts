import { timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAlertPayload } from '../health/alert-payload.js';
import type { AlertReceiver } from '../health/health-monitor.js';
import type { AlertPostObserver, AlertPostResult } from '../metrics/create-metrics.js';
import type { Logger } from '../shared/logger.js';
import { alertmanagerPayloadSchema } from './alertmanager-schema.js';
import { RefusalLog } from './refusal-log.js';
import { errorResponses, useErrorSchema } from './schemas.js';

// POST /v1/alerts/alertmanager: Alertmanager's webhook (version 4). A firing alert whose
// label names a region or endpoint holds it down until resolved or max_age. The admin server
// and the standalone listener (health.alertmanager.listen) mount the same module. A refused
// post is counted (geosteer_alertmanager_posts_total{result}) and logged, at most once per
// 10 s per result: Alertmanager retries and then gives up silently, so this log line is
// often the only sign that a region was meant to go down.

/** Path of the webhook; put it in Alertmanager's webhook_configs url. */
export const ALERTMANAGER_PATH = '/v1/alerts/alertmanager';

/** What the route needs: the token to expect (read per request: a reload may change it), where the alerts go, and its limits. */
export interface AlertmanagerRouteOptions {
  /** undefined while health.alertmanager is not configured: the route then answers 404. */
  readonly token: () => string | undefined;
  readonly receiver: AlertReceiver;
  /** health.alertmanager.max_body: larger posts are refused with 413 before they are read. */
  readonly maxBody: number;
  /** Counts every post by result (the metrics). */
  readonly observer?: AlertPostObserver;
  readonly log: Logger;
  /** Which server this mount is on, for the log: "admin" (admin.listen) or "listener" (health.alertmanager.listen). */
  readonly mount: 'admin' | 'listener';
  /** Clock of the refusal log's rate limit. */
  readonly now?: () => number;
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
  useErrorSchema(app);
  const refusals = new RefusalLog(opts.log, 10_000, opts.now);
  const refuse = (req: FastifyRequest, reply: FastifyReply, result: Exclude<AlertPostResult, 'accepted'>, status: number, body: Record<string, unknown>, words: string) => {
    opts.observer?.posted(result);
    refusals.refused(result, { status, mount: opts.mount, from: req.ip, content_length: req.headers['content-length'] ?? null }, `Alertmanager webhook: ${words}`);
    return reply.code(status).send(body);
  };

  app.post(ALERTMANAGER_PATH, {
    bodyLimit: opts.maxBody,
    schema: {
      operationId: 'postAlertmanagerWebhook',
      summary: 'Alertmanager webhook (version 4): a firing alert naming a region or endpoint holds it down until resolved',
      description: 'Authenticated with the health.alertmanager token (Authorization: Bearer), not an admin token. The body is checked by the webhook itself, every problem listed.',
      tags: ['health'],
      security: [{ alertmanager: [] }],
      body: alertmanagerPayloadSchema,
      response: {
        200: {
          description: 'Applied: what fired, resolved, was re-sent, or was ignored (and why)',
          type: 'object',
          properties: {
            fired: { type: 'array', items: { type: 'object', additionalProperties: true } },
            resolved: { type: 'array', items: { type: 'object', additionalProperties: true } },
            refreshed: { type: 'integer' },
            ignored: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
        ...errorResponses(400, 401, 404, 413),
      },
    },
    // The schema documents the payload; parseAlertPayload checks it (one validator, every problem named).
    validatorCompiler: () => () => true,
    // Authenticate before the body is read: an unauthenticated post is never looked at.
    onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
      const token = opts.token();
      if (token === undefined) {
        return refuse(req, reply, 'disabled', 404, { error: 'NOT_FOUND', message: 'the Alertmanager webhook is off: configure health.alertmanager' }, 'refused a post: the webhook is off (no health.alertmanager section)');
      }
      if (!tokenMatches(req.headers.authorization, token)) {
        reply.header('www-authenticate', 'Bearer');
        const why = req.headers.authorization ? 'a wrong token' : 'no Authorization header';
        return refuse(req, reply, 'unauthorized', 401, { error: 'UNAUTHORIZED', message: 'authorization: expected "Bearer <health.alertmanager token>"' }, `refused a post with ${why}; check http_config.authorization in Alertmanager's webhook_configs`);
      }
    },
    errorHandler: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      if (err.statusCode === 413) {
        return refuse(req, reply, 'too_large', 413, { error: 'BAD_REQUEST', message: `body: larger than health.alertmanager.max_body (${opts.maxBody} bytes); raise max_body, or lower max_alerts in Alertmanager's webhook_configs` }, `refused a post larger than health.alertmanager.max_body (${opts.maxBody} bytes): its alerts were not applied; raise max_body or set max_alerts in Alertmanager's webhook_configs`);
      }
      // Other body parser failures (bad JSON, wrong content type) keep their 4xx status.
      if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        return refuse(req, reply, 'invalid', err.statusCode, { error: 'BAD_REQUEST', message: `body: ${err.message}` }, `refused a post that is not JSON (${err.message})`);
      }
      opts.log.error({ err }, 'Alertmanager webhook: post failed');
      return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' });
    },
    handler: async (req, reply) => {
      const parsed = parseAlertPayload(req.body);
      if (!parsed.ok) {
        return refuse(req, reply, 'invalid', 400, { error: 'BAD_REQUEST', message: 'not an Alertmanager webhook payload (version 4)', problems: parsed.problems }, `refused a post that is not a version 4 webhook payload: ${parsed.problems.slice(0, 3).join('; ')}`);
      }
      const change = opts.receiver.applyAlerts(parsed.alerts);
      opts.observer?.posted('accepted');
      return reply.code(200).send({
        fired: change.fired.map((a) => ({ fingerprint: a.fingerprint, region: a.target.region, endpoint: a.target.endpoint ?? null })),
        resolved: change.resolved.map((a) => ({ fingerprint: a.fingerprint, region: a.target.region, endpoint: a.target.endpoint ?? null })),
        refreshed: change.refreshed,
        ignored: change.ignored,
      });
    },
  });
}
