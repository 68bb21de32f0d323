import type { CheckSpec } from '../config/health-checks.js';
import type { Observation } from './endpoint-state.js';
import { probeHttp } from './http-prober.js';
import { probeTcp } from './tcp-prober.js';

/** Runs one check and reports the result; must never reject. A parameter so tests can script results. */
export type Prober = (spec: CheckSpec) => Promise<Observation>;

/** The real prober: HTTP(S) or TCP by the check's kind. */
export const probe: Prober = (spec) => (spec.kind === 'tcp' ? probeTcp(spec) : probeHttp(spec));
