import type { V1EndpointSlice, V1Ingress, V1Service } from '@kubernetes/client-node';
import type { RegionReadiness } from './readiness-source.js';
import type { Gateway, GatewayObjectRef, HttpRoute } from './resource-kinds.js';

// Pure: which Services back a region's Ingresses, Services and Gateways, and whether those
// Services have ready endpoints according to their EndpointSlices (discovery.k8s.io/v1).

/** A Service as "namespace/name". */
export type ServiceKey = string;

/** How many backing Services need a ready endpoint for the region to be ready. */
export type ReadinessRequirement = 'all' | 'any';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'; // set by the EndpointSlice controller

/** The Services an Ingress routes to: its default backend and every rule's path backends (resource backends are not Services). */
export function ingressBackends(ingress: V1Ingress): ServiceKey[] {
  const ns = ingress.metadata?.namespace ?? '';
  const names = [ingress.spec?.defaultBackend?.service?.name];
  for (const rule of ingress.spec?.rules ?? []) for (const path of rule.http?.paths ?? []) names.push(path.backend.service?.name);
  return names.filter((n): n is string => !!n).map((n) => `${ns}/${n}`);
}

/** A Service of type LoadBalancer backs itself. */
export function serviceBackends(service: V1Service): ServiceKey[] {
  return [`${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`];
}

function refersTo(ref: GatewayObjectRef, routeNamespace: string, gateway: Gateway): boolean {
  return (
    (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
    (ref.kind ?? 'Gateway') === 'Gateway' &&
    ref.name === gateway.metadata?.name &&
    (ref.namespace ?? routeNamespace) === gateway.metadata?.namespace
  );
}

/**
 * The Services behind a Gateway: the backendRefs of every HTTPRoute whose parentRefs name
 * it (Gateway API defaults: group gateway.networking.k8s.io, kind Gateway, the route's
 * namespace). backendRefs of weight 0 get no traffic and are left out; non-Service refs too.
 */
export function gatewayBackends(gateway: Gateway, routes: Iterable<HttpRoute>): ServiceKey[] {
  const out: ServiceKey[] = [];
  for (const route of routes) {
    const ns = route.metadata?.namespace ?? '';
    if (!(route.spec?.parentRefs ?? []).some((p) => refersTo(p, ns, gateway))) continue;
    for (const rule of route.spec?.rules ?? []) {
      for (const b of rule.backendRefs ?? []) {
        if ((b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service' && b.weight !== 0) out.push(`${b.namespace ?? ns}/${b.name}`);
      }
    }
  }
  return out;
}

/**
 * Services with at least one ready endpoint. An absent conditions.ready counts as ready
 * (EndpointConditions API: "a nil value should be interpreted as true"); terminating
 * endpoints carry ready=false.
 */
export function servicesWithReadyEndpoints(slices: Iterable<V1EndpointSlice>): Set<ServiceKey> {
  const ready = new Set<ServiceKey>();
  for (const slice of slices) {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!service) continue;
    if (slice.endpoints?.some((e) => e.conditions?.ready !== false)) ready.add(`${slice.metadata?.namespace ?? ''}/${service}`);
  }
  return ready;
}

function names(keys: Iterable<ServiceKey>): string {
  const list = [...keys].sort();
  return list.length <= 10 ? list.join(', ') : `${list.slice(0, 10).join(', ')} and ${list.length - 10} more`;
}

/**
 * The region's readiness from its backing Services. `scope` is the only namespace the
 * source watches (undefined: all): Services outside it cannot be seen and are not judged.
 */
export function backendReadiness(backends: Iterable<ServiceKey>, ready: ReadonlySet<ServiceKey>, require: ReadinessRequirement, scope: string | undefined): RegionReadiness {
  const all = new Set(backends);
  const judged = [...all].filter((k) => scope === undefined || k.startsWith(`${scope}/`));
  const unseen = all.size - judged.length > 0 ? `; not judged (outside namespace ${scope}): ${names([...all].filter((k) => !judged.includes(k)))}` : '';
  if (judged.length === 0) return { state: 'unknown', detail: `no backing Service to judge${unseen}` };
  const up = judged.filter((k) => ready.has(k));
  const down = judged.filter((k) => !ready.has(k));
  if (require === 'all') {
    return down.length > 0
      ? { state: 'not_ready', detail: `no ready endpoints in ${names(down)} (${down.length} of ${judged.length} backing Services)${unseen}` }
      : { state: 'ready', detail: `ready endpoints in every backing Service: ${names(up)}${unseen}` };
  }
  return up.length > 0
    ? { state: 'ready', detail: `ready endpoints in ${names(up)} (${up.length} of ${judged.length} backing Services)${unseen}` }
    : { state: 'not_ready', detail: `no ready endpoints in any backing Service: ${names(down)}${unseen}` };
}
