import type { FastifyInstance } from 'fastify';
import type { CloudflareSync } from '../sync/reconciler.js';
import { errorResponses, READ_ERRORS, useErrorSchema } from './schemas.js';

/** What GET /v1/sync reads: the sync running now (undefined without sync.cloudflare). */
export type SyncReportSource = Pick<CloudflareSync, 'report'>;

/** Mounts GET /v1/sync: the sync's state (`{configured: false, cloudflare: null}` without sync). */
export function registerSyncRoutes(fastify: FastifyInstance, sync: () => SyncReportSource | undefined): void {
  useErrorSchema(fastify);
  const schema = {
    operationId: 'getSync',
    summary: 'The Cloudflare sync: last run, plan, budget, refusal and backoff',
    tags: ['sync'],
    response: {
      200: {
        description: 'configured: false and cloudflare: null without sync.cloudflare',
        type: 'object',
        properties: { configured: { type: 'boolean' }, cloudflare: { type: ['object', 'null'], additionalProperties: true } },
      },
      ...errorResponses(...READ_ERRORS),
    },
  };
  fastify.get('/v1/sync', { config: { access: 'read' }, schema }, async () => {
    const s = sync();
    return { configured: s !== undefined, cloudflare: s ? await s.report() : null };
  });
}
