import type { FastifyInstance } from 'fastify';
import type { NameAnswerPlan } from '../steering/answer-plan.js';
import type { RuleOutcome } from '../steering/decide.js';
import type { Tier } from '../steering/types.js';
import { canonicalName } from '../config/names.js';
import { GeosteerError } from '../shared/errors.js';
import type { AdminOptions } from './admin-context.js';
import { errorResponses, READ_ERRORS } from './schemas.js';

function describeTier(tier: Tier): string | Record<string, number> {
  return tier.kind === 'region' ? tier.region : Object.fromEntries(tier.members.map((m) => [m.region, m.share]));
}

/** Where a rule sends traffic now (its outcome in the snapshot's plan): the answering tier and each candidate's share. */
function ruleNow(o: RuleOutcome) {
  return {
    tier: o.tierIndex,
    fail_open: o.failOpen,
    regions: o.candidates.map((c) => ({ region: c.region, share: o.totalWeight > 0 ? c.weight / o.totalWeight : 0 })),
  };
}

function keysFor(index: number, map: ReadonlyMap<string, number>): string[] {
  return [...map].filter(([, i]) => i === index).map(([k]) => k);
}

function describePolicy(plan: NameAnswerPlan) {
  const { policy } = plan;
  return {
    name: policy.name,
    ttl: policy.ttl,
    max_answers: policy.maxAnswers,
    rules: policy.rules.map((rule, i) => ({
      rule: rule.label,
      countries: keysFor(i, policy.byCountry),
      continents: keysFor(i, policy.byContinent),
      tiers: rule.tiers.map(describeTier),
      now: ruleNow(plan.outcomes[i]),
    })),
    default: { rule: 'default', tiers: policy.defaultRule.tiers.map(describeTier), now: ruleNow(plan.defaultOutcome) },
  };
}

const now = { type: 'object', additionalProperties: true, properties: { tier: { type: 'integer' }, fail_open: { type: 'boolean' }, regions: { type: 'array', items: { type: 'object', additionalProperties: true } } } } as const;
const policyView = { type: 'object', additionalProperties: true, properties: { name: { type: 'string' }, ttl: { type: 'integer' }, max_answers: { type: 'integer' }, rules: { type: 'array', items: { type: 'object', additionalProperties: true } } } } as const;

/** GET /v1/names (every steered name's policy) and GET /v1/names/:name (plus what each country gets now). */
export function namesRoutes(server: FastifyInstance, opts: AdminOptions): void {
  const { app } = opts;
  server.get('/v1/names', {
    config: { access: 'read' },
    schema: {
      operationId: 'listNames',
      summary: 'Steered names with their policies and where each rule answers now',
      tags: ['names'],
      response: { 200: { description: 'Every steered name', type: 'object', properties: { names: { type: 'array', items: policyView } } }, ...errorResponses(...READ_ERRORS) },
    },
    handler: async () => {
      return { names: [...app.current().plans.values()].map(describePolicy) };
    },
  });

  server.get<{ Params: { name: string } }>('/v1/names/:name', {
    config: { access: 'read' },
    schema: {
      operationId: 'getName',
      summary: 'One steered name: policy, and the regions each country and continent gets now',
      tags: ['names'],
      params: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 254, description: 'A steered name (names[].name), any case, trailing dot optional' } } },
      response: {
        ...errorResponses(...READ_ERRORS, 404),
        200: {
          description: 'The policy and what each country, continent and everyone else gets now',
          ...policyView,
          properties: { ...policyView.properties, countries: { type: 'object', additionalProperties: now }, continents: { type: 'object', additionalProperties: now }, others: now },
        },
      },
    },
    handler: async (req) => {
      const { plans } = app.current();
      const plan = plans.get(canonicalName(req.params.name) ?? '');
      if (!plan) throw new GeosteerError('NOT_FOUND', `${req.params.name} is not a steered name; steered names: ${[...plans.keys()].join(', ') || '(none)'}`);
      const { policy } = plan;
      const outcome = (i: number) => ({ rule: policy.rules[i].label, ...ruleNow(plan.outcomes[i]) });
      return {
        ...describePolicy(plan),
        countries: Object.fromEntries([...policy.byCountry].map(([cc, i]) => [cc, outcome(i)])),
        continents: Object.fromEntries([...policy.byContinent].map(([c, i]) => [c, outcome(i)])),
        others: { rule: 'default', ...ruleNow(plan.defaultOutcome) },
      };
    },
  });
}
