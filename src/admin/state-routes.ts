import type { FastifyInstance } from 'fastify';
import type { ResetDecision } from '../state/state-store.js';
import type { AdminOptions } from './admin-context.js';
import { actorOf, audit } from './audit.js';
import { errorResponses, reasonSchema, WRITE_ERRORS } from './schemas.js';

/** POST /v1/state/reset {decision, reason}: ends a detected state store reset (src/state/README.md, "Redis losing its data"). */
export function stateRoutes(server: FastifyInstance, opts: AdminOptions): void {
  const { app } = opts;
  server.post<{ Body: { decision: ResetDecision; reason: string } }>('/v1/state/reset', {
    config: { access: 'write' },
    schema: {
      operationId: 'confirmStateReset',
      summary: 'Confirm a detected state store reset: republish this instance’s kept overrides, or adopt what the store holds',
      description: 'Only while /readyz shows state.reset (the store came back without its data). 409 when no reset is pending or another instance decided first.',
      tags: ['state'],
      body: {
        type: 'object',
        required: ['decision', 'reason'],
        additionalProperties: false,
        properties: {
          decision: { type: 'string', enum: ['republish', 'adopt'], description: 'republish: write the weights and drains this instance kept; adopt: keep what the store holds now' },
          reason: reasonSchema,
        },
      },
      response: {
        200: {
          description: 'Decided; every instance follows the new epoch',
          type: 'object',
          properties: { decision: { type: 'string' }, epoch: { type: 'string' }, weights: { type: 'integer' }, drains: { type: 'integer' } },
        },
        ...errorResponses(...WRITE_ERRORS, 409),
      },
    },
    handler: async (req) => {
      const actor = actorOf(req);
      const pending = app.state.status().reset;
      const resolution = await app.state.confirmReset(req.body.decision, actor.name);
      const before = pending ? { reason: pending.reason, detected_at: pending.detectedAt, kept: pending.kept } : null;
      await audit(app.events, { action: 'state reset', actor, before, after: resolution, force: false, reason: req.body.reason });
      return resolution;
    },
  });
}
