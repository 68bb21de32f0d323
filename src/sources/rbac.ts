import type { KubernetesRegionSourceConfig } from '../config/schema.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import { readinessKinds, REGION_RESOURCES } from './region-resources.js';
import type { ResourceKind } from './resource-kinds.js';

/** One rule of a (Cluster)Role, as in rbac.authorization.k8s.io/v1. */
export interface RbacRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: ['list', 'watch'];
}

/**
 * The read-only rules one region's source needs in its cluster: list and watch on every
 * kind it reads. A Role in `namespace` is enough when the region sets one (every watch is
 * namespaced then); a ClusterRole otherwise.
 */
export function requiredRbacRules(rc: Pick<KubernetesRegionSourceConfig, 'resources' | 'readiness'>): RbacRule[] {
  const kinds: ResourceKind<KubernetesObject>[] = rc.resources.map((r) => REGION_RESOURCES[r].kind);
  if (rc.readiness) {
    const { slices, routes } = readinessKinds(rc.resources);
    kinds.push(slices, ...(routes ? [routes] : []));
  }
  const byGroup = new Map<string, string[]>();
  for (const k of kinds) byGroup.set(k.group, [...(byGroup.get(k.group) ?? []), k.resource]);
  return [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs: ['list', 'watch'] }));
}
