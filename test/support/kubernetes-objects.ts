import type { FakeObject } from './fake-kubernetes.js';

// Builders for the objects the fake API server holds, shaped as the real APIs serve them
// (only the fields geosteer reads, plus what a controller would have set in status).

type Meta = { namespace: string; name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type LoadBalancerIngress = { ip?: string; hostname?: string };

const metadata = (m: Meta) => ({ namespace: m.namespace, name: m.name, labels: m.labels ?? {}, annotations: m.annotations ?? {} });

/** networking.k8s.io/v1 Ingress with status.loadBalancer.ingress and one path per backend Service. */
export function ingress(m: Meta & { lb: LoadBalancerIngress[]; backends?: string[]; defaultBackend?: string }): FakeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: metadata(m),
    spec: {
      ...(m.defaultBackend ? { defaultBackend: { service: { name: m.defaultBackend, port: { number: 80 } } } } : {}),
      rules: [{ host: 'api.example.com', http: { paths: (m.backends ?? []).map((name, i) => ({ path: `/${i}`, pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } })) } }],
    },
    status: { loadBalancer: { ingress: m.lb } },
  };
}

/** v1 Service (type LoadBalancer unless given) with status.loadBalancer.ingress. */
export function service(m: Meta & { type?: string; lb?: LoadBalancerIngress[] }): FakeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(m),
    spec: { type: m.type ?? 'LoadBalancer', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 }], selector: { app: m.name } },
    status: { loadBalancer: { ingress: m.lb ?? [] } },
  };
}

/** gateway.networking.k8s.io/v1 Gateway with status.addresses. */
export function gateway(m: Meta & { addresses: { type?: string; value: string }[] }): FakeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: metadata(m),
    spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    status: { addresses: m.addresses },
  };
}

/** gateway.networking.k8s.io/v1 HTTPRoute attached to `parents` (Gateway names or refs), sending to `backends`. */
export function httpRoute(m: Meta & { parents: { name: string; namespace?: string; kind?: string }[]; backends: { name: string; namespace?: string; weight?: number; kind?: string }[] }): FakeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: metadata(m),
    spec: { parentRefs: m.parents, rules: [{ backendRefs: m.backends.map((b) => ({ port: 80, ...b })) }] },
  };
}

/** discovery.k8s.io/v1 EndpointSlice of Service `service`: one endpoint per entry of `ready` (undefined: the condition is absent). */
export function endpointSlice(m: { namespace: string; name: string; service: string; ready: (boolean | undefined)[] }): FakeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: metadata({ namespace: m.namespace, name: m.name, labels: { 'kubernetes.io/service-name': m.service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }),
    addressType: 'IPv4',
    endpoints: m.ready.map((ready, i) => ({ addresses: [`10.42.0.${i + 10}`], conditions: ready === undefined ? {} : { ready, serving: ready, terminating: false } })),
    ports: [{ name: 'https', port: 8443, protocol: 'TCP' }],
  };
}
