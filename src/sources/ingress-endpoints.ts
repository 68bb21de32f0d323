import { isIP } from 'node:net';
import type { V1Ingress } from '@kubernetes/client-node';
import type { Endpoint } from '../steering/types.js';
import type { RegionEndpoints } from './endpoint-source.js';

/** How Ingresses are picked for a region: a label (sent to the API server) or an annotation (filtered here). */
export type IngressSelector = { readonly kind: 'label' | 'annotation'; readonly key: string; readonly value: string };

/** Parses `key=value` of the config's selector. */
export function parseSelector(kind: 'label' | 'annotation', text: string): IngressSelector {
  const i = text.indexOf('=');
  return { kind, key: text.slice(0, i), value: text.slice(i + 1) };
}

/** True when the Ingress carries the selector's annotation (labels are matched by the API server). */
export function selects(selector: IngressSelector, ingress: V1Ingress): boolean {
  const bag = selector.kind === 'label' ? ingress.metadata?.labels : ingress.metadata?.annotations;
  return bag?.[selector.key] === selector.value;
}

/**
 * The region's addresses from its Ingresses' status.loadBalancer.ingress[]: every .ip as an
 * endpoint (id = the address); when there is no ip at all, the first .hostname (sorted) as
 * a CNAME target, since a region answers with addresses or a CNAME, not both. Undefined when
 * the Ingresses publish nothing yet.
 */
export function ingressEndpoints(ingresses: Iterable<V1Ingress>): RegionEndpoints | undefined {
  const ips = new Set<string>();
  const hostnames = new Set<string>();
  for (const ing of ingresses) {
    for (const lb of ing.status?.loadBalancer?.ingress ?? []) {
      if (lb.ip && isIP(lb.ip) !== 0) ips.add(lb.ip);
      if (lb.hostname) hostnames.add(lb.hostname.toLowerCase().replace(/\.$/, ''));
    }
  }
  if (ips.size > 0) {
    const endpoints: Endpoint[] = [...ips].sort().map((address) => ({ id: address, address, family: isIP(address) === 4 ? 4 : 6 }));
    return { endpoints, cname: undefined };
  }
  if (hostnames.size > 0) return { endpoints: [], cname: [...hostnames].sort()[0] };
  return undefined;
}
