import type { FastifyInstance } from 'fastify';
import type { Snapshot } from '../control/snapshot.js';
import { sharedVotes } from '../health/health-quorum.js';
import type { SharedState } from '../state/state-store.js';
import { wouldStrandCountry, type RegionChange } from '../steering/strand-check.js';
import { DetailedError, requireRegion, type AdminOptions } from './admin-context.js';
import { actorOf, audit, type Actor } from './audit.js';
import { recentEvents } from './events-route.js';
import { errorResponses, forceSchema as force, READ_ERRORS, reasonSchema as reason, WRITE_ERRORS } from './schemas.js';

const regionParams = {
  type: 'object',
  required: ['region'],
  additionalProperties: false,
  properties: { region: { type: 'string', minLength: 1, maxLength: 100, description: 'A region of the config (regions.<name>)' } },
} as const;
const regionView = {
  type: 'object',
  additionalProperties: true,
  properties: {
    name: { type: 'string' },
    up: { type: 'boolean' },
    usable: { type: 'boolean', description: 'up, not drained and weight > 0' },
    weight: { type: 'integer' },
    configured_weight: { type: 'integer' },
    weight_override: { type: ['integer', 'null'] },
    drained: { type: 'boolean' },
    drain: { type: ['object', 'null'], additionalProperties: true },
    cname: { type: ['string', 'null'] },
    endpoints: { type: 'array', items: { type: 'object', additionalProperties: true } },
    events: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;
const changeResult = {
  type: 'object',
  additionalProperties: true,
  properties: { region: { type: 'string' }, changed: { type: 'boolean' }, before: { type: 'object', additionalProperties: true }, after: { type: 'object', additionalProperties: true } },
} as const;

/** The admin view of one region: config, runtime overrides and health together. */
function describeRegion(name: string, snapshot: Snapshot, state: SharedState) {
  const spec = snapshot.model.regions.get(name)!;
  const st = snapshot.status.get(name)!;
  const drain = state.drains.get(name) ?? (spec.drain ? { reason: 'drain: true in the config file', by: 'config', at: null } : null);
  // with shared health: how each live instance sees the region and each endpoint (the quorum decides)
  const votes = sharedVotes(snapshot.inputs.health, name);
  return {
    name,
    up: st.up,
    usable: st.up && !st.drained && st.weight > 0,
    weight: st.weight,
    configured_weight: spec.weight,
    weight_override: state.weights.get(name) ?? null,
    drained: st.drained,
    drain,
    cname: spec.cname ?? null,
    endpoints: spec.endpoints.map((e) => ({ id: e.id, address: e.address, family: e.family, up: st.healthyEndpoints.has(e.id), ...(votes ? { votes: votes.endpoints.get(e.id) ?? null } : {}) })),
    ...(votes ? { votes: votes.region ?? null } : {}),
  };
}

/** GET /v1/regions[/:region], PUT|DELETE /v1/regions/:region/weight, PUT|DELETE /v1/regions/:region/drain. */
export function regionsRoutes(server: FastifyInstance, opts: AdminOptions): void {
  const { app } = opts;
  const now = opts.now ?? Date.now;

  /** Refuses (409) a change that strands a first tier, unless forced. */
  function checkStrand(snapshot: Snapshot, change: RegionChange, forced: boolean, what: string): void {
    if (forced) return;
    const stranded = wouldStrandCountry(snapshot.plans.values(), snapshot.status, change);
    if (!stranded) return;
    throw new DetailedError(
      'CONFLICT',
      `${what} would leave no usable region in the first tier (${stranded.firstTier.join(', ')}) of ${stranded.name} rule "${stranded.rule}"; send "force": true to do it anyway`,
      { stranded: { name: stranded.name, rule: stranded.rule, first_tier: stranded.firstTier } },
    );
  }

  /** Runs a state write, waits for the snapshot that includes it (its transitions are recorded there, once), then audits it. */
  async function applyChange(region: string, action: string, actor: Actor, change: { reason: string; force: boolean }, write: () => Promise<void>) {
    const before = app.current();
    const beforeView = describeRegion(region, before, app.state.current());
    await write();
    const after = await app.settled();
    const afterView = describeRegion(region, after, app.state.current());
    const pick = (v: typeof beforeView) => ({ weight: v.weight, weight_override: v.weight_override, drained: v.drained, drain: v.drain });
    await audit(app.events, { action, actor, region, before: pick(beforeView), after: pick(afterView), force: change.force, reason: change.reason });
    return { region, changed: true, before: pick(beforeView), after: pick(afterView) };
  }

  server.get('/v1/regions', {
    config: { access: 'read' },
    schema: {
      operationId: 'listRegions',
      summary: 'Every region: endpoints, health, weight, drain',
      tags: ['regions'],
      response: { 200: { description: 'Every configured region', type: 'object', properties: { regions: { type: 'array', items: regionView } } }, ...errorResponses(...READ_ERRORS) },
    },
    handler: async () => {
      const snapshot = app.current();
      const state = app.state.current();
      return { regions: [...snapshot.model.regions.keys()].map((r) => describeRegion(r, snapshot, state)) };
    },
  });

  server.get<{ Params: { region: string } }>('/v1/regions/:region', {
    config: { access: 'read' },
    schema: { operationId: 'getRegion', summary: 'One region, with its last events', tags: ['regions'], params: regionParams, response: { 200: { description: 'The region and its last 20 events', ...regionView }, ...errorResponses(...READ_ERRORS, 404) } },
    handler: async (req) => {
      const snapshot = app.current();
      const region = requireRegion(snapshot, req.params.region);
      return { ...describeRegion(region, snapshot, app.state.current()), events: await recentEvents(app.events, { region, limit: 20 }) };
    },
  });

  const changed = { description: 'Applied (changed: true, with before and after), or nothing to do (changed: false)', ...changeResult };
  const conflict = [409] as const;

  server.put<{ Params: { region: string }; Body: { weight: number; reason: string; force?: boolean } }>('/v1/regions/:region/weight', {
    config: { access: 'write' },
    schema: {
      operationId: 'setRegionWeight',
      summary: 'Set a runtime weight override (0..100); 0 takes the region out of rotation',
      tags: ['regions'],
      params: regionParams,
      body: { type: 'object', required: ['weight', 'reason'], additionalProperties: false, properties: { weight: { type: 'integer', minimum: 0, maximum: 100 }, reason, force } },
      response: { 200: changed, ...errorResponses(...WRITE_ERRORS, 404, ...conflict) },
    },
    handler: async (req) => {
      const snapshot = app.current();
      const region = requireRegion(snapshot, req.params.region);
      const { weight, reason: why, force: forced = false } = req.body;
      checkStrand(snapshot, { region, weight }, forced, `weight ${weight} for ${region}`);
      return applyChange(region, 'set weight', actorOf(req), { reason: why, force: forced }, () => app.state.setWeight(region, weight));
    },
  });

  server.delete<{ Params: { region: string }; Querystring: { reason: string; force?: boolean } }>('/v1/regions/:region/weight', {
    config: { access: 'write' },
    schema: {
      operationId: 'resetRegionWeight',
      summary: 'Drop the runtime weight override; the configured weight applies again',
      tags: ['regions'],
      params: regionParams,
      querystring: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason, force } },
      response: { 200: changed, ...errorResponses(...WRITE_ERRORS, 404, ...conflict) },
    },
    handler: async (req) => {
      const snapshot = app.current();
      const region = requireRegion(snapshot, req.params.region);
      if (!app.state.current().weights.has(region)) return { region, changed: false };
      const configured = snapshot.model.regions.get(region)!.weight;
      const { reason: why, force: forced = false } = req.query;
      checkStrand(snapshot, { region, weight: configured }, forced, `the configured weight ${configured} for ${region}`);
      return applyChange(region, 'reset weight', actorOf(req), { reason: why, force: forced }, () => app.state.setWeight(region, null));
    },
  });

  server.put<{ Params: { region: string }; Body: { reason: string; force?: boolean } }>('/v1/regions/:region/drain', {
    config: { access: 'write' },
    schema: {
      operationId: 'drainRegion',
      summary: 'Drain a region: it takes no new answers until undrained',
      tags: ['regions'],
      params: regionParams,
      body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason, force } },
      response: { 200: changed, ...errorResponses(...WRITE_ERRORS, 404, ...conflict) },
    },
    handler: async (req) => {
      const snapshot = app.current();
      const region = requireRegion(snapshot, req.params.region);
      if (snapshot.status.get(region)!.drained) return { region, changed: false };
      const { reason: why, force: forced = false } = req.body;
      checkStrand(snapshot, { region, drained: true }, forced, `draining ${region}`);
      const actor = actorOf(req);
      return applyChange(region, 'drain', actor, { reason: why, force: forced }, () => app.state.setDrain(region, { reason: why, by: actor.name, at: now() }));
    },
  });

  server.delete<{ Params: { region: string }; Querystring: { reason: string } }>('/v1/regions/:region/drain', {
    config: { access: 'write' },
    schema: {
      operationId: 'undrainRegion',
      summary: 'Undrain a region drained through the API',
      tags: ['regions'],
      params: regionParams,
      querystring: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason } },
      response: { 200: changed, ...errorResponses(...WRITE_ERRORS, 404, ...conflict) },
    },
    handler: async (req) => {
      const snapshot = app.current();
      const region = requireRegion(snapshot, req.params.region);
      if (snapshot.model.regions.get(region)!.drain) {
        throw new DetailedError('CONFLICT', `${region} is drained by the config file (regions.${region}.drain: true); edit the file and reload to undrain it`, { region });
      }
      if (!app.state.current().drains.has(region)) return { region, changed: false };
      return applyChange(region, 'undrain', actorOf(req), { reason: req.query.reason, force: false }, () => app.state.setDrain(region, null));
    },
  });
}
