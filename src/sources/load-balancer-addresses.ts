import { isIP } from 'node:net';
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import type { Endpoint } from '../steering/types.js';
import type { RegionEndpoints } from './endpoint-source.js';
import type { Gateway } from './resource-kinds.js';

// Pure extraction: the addresses load balancers publish in the status of Ingresses,
// Services of type LoadBalancer and Gateways, and a region's endpoints from them.

/** One published address: an IP, a hostname, or (Ingress/Service status) both. */
export interface LoadBalancerAddress {
  readonly ip?: string;
  readonly hostname?: string;
}

/** status.loadBalancer.ingress[] of an Ingress (networking.k8s.io/v1). */
export function ingressAddresses(ingress: V1Ingress): LoadBalancerAddress[] {
  return ingress.status?.loadBalancer?.ingress ?? [];
}

/** True for a Service of type LoadBalancer, the only type that publishes a load-balancer address. */
export function isLoadBalancerService(service: V1Service): boolean {
  return service.spec?.type === 'LoadBalancer';
}

/** status.loadBalancer.ingress[] of a Service of type LoadBalancer (MetalLB, servicelb, cloud LBs); ports play no part. */
export function serviceAddresses(service: V1Service): LoadBalancerAddress[] {
  return isLoadBalancerService(service) ? (service.status?.loadBalancer?.ingress ?? []) : [];
}

/**
 * status.addresses[] of a Gateway: type IPAddress (the default when type is absent, Gateway
 * API v1) and Hostname; implementation-specific (domain-prefixed) types are skipped.
 */
export function gatewayAddresses(gateway: Gateway): LoadBalancerAddress[] {
  const out: LoadBalancerAddress[] = [];
  for (const a of gateway.status?.addresses ?? []) {
    const type = a.type ?? 'IPAddress';
    if (type === 'IPAddress') out.push({ ip: a.value });
    else if (type === 'Hostname') out.push({ hostname: a.value });
  }
  return out;
}

/**
 * A region's endpoints from its addresses: every valid IP as an endpoint (id = the
 * address); when there is no IP at all, the first hostname (sorted, lower case) as a CNAME
 * target, since a region answers with addresses or a CNAME, not both. Undefined when
 * nothing is published yet.
 */
export function regionEndpoints(addresses: Iterable<LoadBalancerAddress>): RegionEndpoints | undefined {
  const ips = new Set<string>();
  const hostnames = new Set<string>();
  for (const a of addresses) {
    if (a.ip && isIP(a.ip) !== 0) ips.add(a.ip);
    if (a.hostname) hostnames.add(a.hostname.toLowerCase().replace(/\.$/, ''));
  }
  if (ips.size > 0) {
    const endpoints: Endpoint[] = [...ips].sort().map((address) => ({ id: address, address, family: isIP(address) === 4 ? 4 : 6 }));
    return { endpoints, cname: undefined };
  }
  if (hostnames.size > 0) return { endpoints: [], cname: [...hostnames].sort()[0] };
  return undefined;
}
