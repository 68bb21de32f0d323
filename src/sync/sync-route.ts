import type { FastifyInstance } from 'fastify';
import type { CloudflareSync } from './reconciler.js';

/** Mounts GET /v1/sync: the sync's state (`{configured: false, cloudflare: null}` without sync). */
export function registerSyncRoutes(fastify: FastifyInstance, sync: Pick<CloudflareSync, 'report'> | undefined): void {
  fastify.get('/v1/sync', { config: { access: 'read' } }, async () => ({ configured: sync !== undefined, cloudflare: sync ? await sync.report() : null }));
}
