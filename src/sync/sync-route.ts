import type { FastifyInstance } from 'fastify';
import type { SyncReport } from './reconciler.js';

/** What GET /v1/sync reads: anything that knows its last run. */
export interface SyncReportSource {
  lastReport(): SyncReport | undefined;
}

/** Mounts GET /v1/sync: the last plan and what applying it did (`{cloudflare: null}` before the first run). */
export function registerSyncRoutes(fastify: FastifyInstance, reconciler: SyncReportSource | undefined): void {
  fastify.get('/v1/sync', { config: { access: 'read' } }, async () => ({ cloudflare: reconciler?.lastReport() ?? null, configured: reconciler !== undefined }));
}
