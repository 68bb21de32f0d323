import type { FastifyInstance } from 'fastify';
import { DetailedError, type AdminOptions } from './admin-context.js';
import { audit } from './audit.js';

/** POST /v1/reload: re-read the config file (as SIGHUP does); a broken file answers 422 with every problem. */
export function reloadRoute(server: FastifyInstance, opts: AdminOptions): void {
  server.post('/v1/reload', {
    config: { access: 'write' },
    schema: {
      summary: 'Re-read the config file; a broken file is refused and the old config keeps serving',
      tags: ['config'],
      response: {
        200: {
          type: 'object',
          properties: {
            reloaded: { type: 'boolean' },
            source: { type: 'string' },
            generation: { type: 'integer' },
            needs_restart: {
              type: 'array',
              description: 'Changed settings a reload cannot apply (they take effect at the next restart)',
              items: { type: 'object', properties: { path: { type: 'string' }, reason: { type: 'string' } } },
            },
          },
        },
      },
    },
    handler: async (req) => {
      const token = req.adminToken!.name;
      const before = opts.app.current().inputs.config.source;
      const result = await opts.reload();
      if (!result.ok) {
        audit(opts.app.events, { action: 'reload refused', token, before, after: before, reason: `${result.problems.length} problem(s)` });
        throw new DetailedError('CONFIG_INVALID', `${result.source}: config refused, still serving the previous config: ${result.problems.join('; ')}`, { problems: result.problems });
      }
      audit(opts.app.events, { action: 'reload', token, before, after: result.source, reason: `generation ${result.generation}` });
      return { reloaded: true, source: result.source, generation: result.generation, needs_restart: result.needsRestart };
    },
  });
}
