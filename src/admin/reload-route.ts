import type { FastifyInstance } from 'fastify';
import { DetailedError, type AdminOptions } from './admin-context.js';
import { actorOf, audit } from './audit.js';
import { errorResponses, reasonSchema, WRITE_ERRORS } from './schemas.js';

/** POST /v1/reload {reason}: re-read the config file (as SIGHUP does); a broken file answers 422 with every problem. */
export function reloadRoute(server: FastifyInstance, opts: AdminOptions): void {
  server.post<{ Body: { reason: string } }>('/v1/reload', {
    config: { access: 'write' },
    schema: {
      operationId: 'reloadConfig',
      summary: 'Re-read the config file; a broken file is refused and the old config keeps serving',
      tags: ['config'],
      body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: reasonSchema } },
      response: {
        200: {
          description: 'The new config is serving',
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
        ...errorResponses(...WRITE_ERRORS, 422),
      },
    },
    handler: async (req) => {
      const actor = actorOf(req);
      const before = opts.app.current().inputs.config.source;
      const result = await opts.reload();
      const reason = req.body.reason;
      if (!result.ok) {
        await audit(opts.app.events, { action: 'reload refused', actor, before, after: before, force: false, reason: `${reason} (${result.problems.length} problem(s))` });
        throw new DetailedError('CONFIG_INVALID', `${result.source}: config refused, still serving the previous config: ${result.problems.join('; ')}`, { problems: result.problems });
      }
      await audit(opts.app.events, { action: 'reload', actor, before, after: `${result.source} (generation ${result.generation})`, force: false, reason });
      return { reloaded: true, source: result.source, generation: result.generation, needs_restart: result.needsRestart };
    },
  });
}
