import type { KubernetesRegionSourceConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { KubernetesSource } from '../../src/sources/kubernetes-source.js';
import type { WatchDelays } from '../../src/sources/resource-watcher.js';
import type { FakeKubernetes } from './fake-kubernetes.js';

// A KubernetesSource on the fake API server with everything it reports written down as
// text, so tests assert exact sequences. The clock is a number the test moves.

/** A started source and what it has reported so far. */
export interface SourceRun {
  source: KubernetesSource;
  /** "region: address/family,... [cname host]" per endpoints change. */
  endpoints: string[];
  /** "region: state: detail" per readiness change. */
  readiness: string[];
  /** "region: message" per reported failure. */
  errors: string[];
  /** The source's clock (ms); move it to age a failing API. */
  clock: { now: number };
}

/** Region config with the fake's kubeconfig and context `c`, ingress only, unless `over` says otherwise. */
export function regionConfig(k8s: FakeKubernetes, over: Partial<KubernetesRegionSourceConfig> = {}): KubernetesRegionSourceConfig {
  return { kubeconfig: k8s.kubeconfigPath, context: 'c', resources: ['ingress'], ...over };
}

/** Starts a source for `regions`; its stop goes onto `cleanups`. */
export async function runSource(
  regions: Record<string, KubernetesRegionSourceConfig>,
  cleanups: (() => Promise<unknown>)[],
  delays: Partial<WatchDelays> = { retryBaseMs: 10, retryMaxMs: 50, rewatchMs: 10 },
): Promise<SourceRun> {
  const run: Omit<SourceRun, 'source'> = { endpoints: [], readiness: [], errors: [], clock: { now: 1_000_000 } };
  const source = new KubernetesSource({ regions, max_retry_interval: 50 }, silentLogger(), (_k, region, err) => run.errors.push(`${region}: ${err.message}`), delays, () => run.clock.now);
  cleanups.push(() => source.stop());
  source.onChange((region, e) => run.endpoints.push(`${region}: ${e.endpoints.map((x) => `${x.address}/${x.family}`).join(',')}${e.cname ? ` cname ${e.cname}` : ''}`));
  source.onReadiness((region, r) => run.readiness.push(`${region}: ${r.state}: ${r.detail}`));
  await source.start();
  return { ...run, source };
}
