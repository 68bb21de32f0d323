import type { ServiceModel } from '../config/model.js';
import { compileAnswerTable } from '../dns/answer-table.js';
import { ResponseRateLimiter } from '../dns/rate-limiter.js';
import { compileServerIdentity } from '../dns/server-identity.js';
import type { ServingState } from '../dns/serving-state.js';
import { ClientLocator, type LocatorStats } from '../geo/client-locator.js';
import { compileAnswerPlan, type NameAnswerPlan } from '../steering/answer-plan.js';
import { regionStatusView } from '../steering/region-status.js';
import type { RegionStatusView } from '../steering/types.js';
import { effectiveModel } from './effective-model.js';
import type { ControlInputs } from './inputs.js';

/**
 * The compiled, immutable view of the whole service: what DNS answers from, and what the
 * admin API, explain, metrics and the Cloudflare sync read. One is current at a time; the
 * control plane builds the next from new inputs and swaps the reference.
 */
export interface Snapshot {
  /** Increases by one with every compile of this control plane. */
  readonly generation: number;
  readonly inputs: ControlInputs;
  /** The config's model with source-reported endpoints swapped in. */
  readonly model: ServiceModel;
  readonly status: RegionStatusView;
  /** Every steered name's answer plan, by name. */
  readonly plans: ReadonlyMap<string, NameAnswerPlan>;
  /** What the DNS hot path reads. */
  readonly serving: ServingState;
}

/** What a compile needs besides the inputs. */
export interface CompileContext {
  readonly generation: number;
  /** The snapshot being replaced: its geo cache and rate-limit counts carry over when their settings did not change. */
  readonly previous: Snapshot | undefined;
  /** Milliseconds since the epoch, for the response rate limiter. */
  readonly clock: () => number;
  /** Geo cache hits and misses, counted across databases. */
  readonly geoStats: LocatorStats;
}

/** Everything a compile may carry over from the snapshot before it. */
function carriedOver(inputs: ControlInputs, { previous, clock, geoStats }: CompileContext): Pick<ServingState, 'locator' | 'limiter'> {
  // The per-prefix cache belongs to one database: a new database gets a new locator.
  const locator = previous && previous.inputs.geo.db === inputs.geo.db ? previous.serving.locator : new ClientLocator(inputs.geo.db, { stats: geoStats });
  const { rrl } = inputs.config.config.dns;
  const before = previous?.inputs.config.config.dns.rrl;
  // Rate-limit counts carry over a compile that keeps the same settings.
  const limiter = !rrl.enabled
    ? undefined
    : previous?.serving.limiter && before && before.enabled && before.responses_per_second === rrl.responses_per_second && before.slip === rrl.slip
      ? previous.serving.limiter
      : new ResponseRateLimiter({ responsesPerSecond: rrl.responses_per_second, slip: rrl.slip }, clock);
  return { locator, limiter };
}

/** Builds the snapshot of `inputs` on `model` and `status` (see statusOf); everything steered is compiled once here. */
export function compileSnapshot(inputs: ControlInputs, model: ServiceModel, status: RegionStatusView, context: CompileContext): Snapshot {
  const plans = new Map<string, NameAnswerPlan>();
  for (const policy of model.policies) plans.set(policy.name, compileAnswerPlan(policy, model.regions, status, context.previous?.plans.get(policy.name)));
  const serving: ServingState = {
    table: compileAnswerTable(model, plans),
    maxUdpPayload: inputs.config.config.dns.max_udp_payload,
    ecsPrivateToSource: inputs.config.config.dns.ecs.private === 'source_address',
    ecsScopeBeyondSource: inputs.config.config.dns.ecs.scope_beyond_source,
    ...compileServerIdentity(inputs.config.config.dns, inputs.config.identity),
    ...carriedOver(inputs, context),
  };
  return { generation: context.generation, inputs, model, status, plans, serving };
}

/** The model and region status `inputs` give, before anything is compiled (cheap: the control plane compares these first). */
export function statusOf(inputs: ControlInputs): { model: ServiceModel; status: RegionStatusView } {
  const model = effectiveModel(inputs.config.model, inputs.endpoints);
  return { model, status: regionStatusView(model.regions, inputs.overrides, inputs.health) };
}
