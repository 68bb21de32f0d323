import type { KubernetesObject, V1EndpointSlice, V1Ingress, V1Service } from '@kubernetes/client-node';
import type { KubernetesRegionSourceConfig } from '../config/schema.js';
import { gatewayBackends, ingressBackends, serviceBackends, type ServiceKey } from './backend-readiness.js';
import { gatewayAddresses, ingressAddresses, isLoadBalancerService, serviceAddresses, type LoadBalancerAddress } from './load-balancer-addresses.js';
import { ENDPOINT_SLICES, GATEWAYS, HTTP_ROUTES, INGRESSES, SERVICES, type Gateway, type HttpRoute, type ResourceKind } from './resource-kinds.js';

/** The resource kinds a region can take its addresses from (config `resources:`). */
export type RegionResourceName = KubernetesRegionSourceConfig['resources'][number];

/** What the source does with one kind of region resource: which objects count, their addresses, their backing Services. */
export interface RegionResource<T extends KubernetesObject = KubernetesObject> {
  readonly kind: ResourceKind<T>;
  /** Objects of the kind that can publish an address (Services: type LoadBalancer only). */
  accepts(obj: T): boolean;
  addresses(obj: T): LoadBalancerAddress[];
  /** The Services behind the object; HTTPRoutes are only read for Gateways. */
  backends(obj: T, routes: Iterable<HttpRoute>): ServiceKey[];
}

const always = () => true;

/** The three adapters, by config name. */
export const REGION_RESOURCES: { readonly ingress: RegionResource<V1Ingress>; readonly service: RegionResource<V1Service>; readonly gateway: RegionResource<Gateway> } = {
  ingress: { kind: INGRESSES, accepts: always, addresses: ingressAddresses, backends: ingressBackends },
  service: { kind: SERVICES, accepts: isLoadBalancerService, addresses: serviceAddresses, backends: serviceBackends },
  gateway: { kind: GATEWAYS, accepts: always, addresses: gatewayAddresses, backends: gatewayBackends },
};

/** The kinds readiness reads besides the region's own: EndpointSlices, and HTTPRoutes when Gateways are among the resources. */
export function readinessKinds(resources: readonly RegionResourceName[]): { slices: ResourceKind<V1EndpointSlice>; routes: ResourceKind<HttpRoute> | undefined } {
  return { slices: ENDPOINT_SLICES, routes: resources.includes('gateway') ? HTTP_ROUTES : undefined };
}
