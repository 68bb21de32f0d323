import type { FastifyInstance } from 'fastify';
import { formatExplain } from '../steering/explain.js';
import type { AdminOptions } from './admin-context.js';
import { errorResponses, READ_ERRORS } from './schemas.js';

/** GET /v1/explain?name=&client=IP[/PREFIX]: the decision trace, as JSON plus the CLI's text. */
export function explainRoute(server: FastifyInstance, opts: AdminOptions): void {
  server.get<{ Querystring: { name: string; client: string; type?: 'A' | 'AAAA'; format?: 'json' | 'text' } }>('/v1/explain', {
    config: { access: 'read' },
    schema: {
      operationId: 'explainAnswer',
      summary: 'Why a client gets the answer it gets: matched rule, each tier tried, the chosen region',
      tags: ['explain'],
      querystring: {
        type: 'object',
        required: ['name', 'client'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 254 },
          client: { type: 'string', minLength: 1, maxLength: 64, description: 'IP or IP/PREFIX, e.g. 1.34.5.0/24' },
          type: { type: 'string', enum: ['A', 'AAAA'], description: 'the query type to explain (default A)' },
          format: { type: 'string', enum: ['json', 'text'], description: 'text: the trace exactly as `geosteer explain` prints it' },
        },
      },
      response: {
        200: {
          description: 'The trace as JSON and as the CLI prints it (format=text: text/plain, the text alone)',
          content: {
            'application/json': { schema: { type: 'object', additionalProperties: true, properties: { text: { type: 'string' }, trace: { type: 'object', additionalProperties: true } } } },
            'text/plain': { schema: { type: 'string' } },
          },
        },
        ...errorResponses(...READ_ERRORS, 404),
      },
    },
    handler: async (req, reply) => {
      const trace = opts.app.explain(req.query.name, req.query.client, req.query.type ?? 'A');
      const text = formatExplain(trace);
      if (req.query.format === 'text') return reply.type('text/plain; charset=utf-8').send(`${text}\n`);
      return { text, trace };
    },
  });
}
