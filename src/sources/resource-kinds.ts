import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  NetworkingV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1EndpointSlice,
  type V1Ingress,
  type V1Service,
} from '@kubernetes/client-node';

// The resource kinds the Kubernetes source lists and watches, each with the client-node API
// that lists it and the path its watch opens. Gateway API kinds are CRDs: the client has no
// typed API for them, so they go through CustomObjectsApi and the small types below.

/** One page of a list answer: the objects and the resourceVersion a watch continues from. */
export interface ObjectList<T> {
  readonly items: T[];
  readonly metadata?: { readonly resourceVersion?: string };
}

/** Lists one kind, in a namespace or all of them, optionally by label selector. */
export type Lister<T> = (namespace: string | undefined, labelSelector: string | undefined) => Promise<ObjectList<T>>;

/** A kind the source reads: where it lives in the API and how the client lists it. */
export interface ResourceKind<T extends KubernetesObject> {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural resource name as in RBAC rules and URLs. */
  readonly resource: string;
  makeLister(kc: KubeConfig): Lister<T>;
}

/** gateway.networking.k8s.io/v1 Gateway: the parts geosteer reads. */
export interface Gateway extends KubernetesObject {
  status?: { addresses?: { type?: string; value: string }[] };
}

/** A parentRef or backendRef of an HTTPRoute (Gateway API defaults apply to absent fields). */
export interface GatewayObjectRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  weight?: number;
}

/** gateway.networking.k8s.io/v1 HTTPRoute: the parts geosteer reads. */
export interface HttpRoute extends KubernetesObject {
  spec?: { parentRefs?: GatewayObjectRef[]; rules?: { backendRefs?: GatewayObjectRef[] }[] };
}

/** "ingresses.networking.k8s.io", the name RBAC and error messages use. */
export function resourceName(kind: ResourceKind<KubernetesObject>): string {
  return kind.group === '' ? kind.resource : `${kind.resource}.${kind.group}`;
}

/** The collection path a watch opens: /api/v1/... for the core group, /apis/<group>/<version>/... else. */
export function collectionPath(kind: ResourceKind<KubernetesObject>, namespace: string | undefined): string {
  const base = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  return namespace === undefined ? `${base}/${kind.resource}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${kind.resource}`;
}

export const INGRESSES: ResourceKind<V1Ingress> = {
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingresses',
  makeLister(kc) {
    const api = kc.makeApiClient(NetworkingV1Api);
    return (namespace, labelSelector) => (namespace === undefined ? api.listIngressForAllNamespaces({ labelSelector }) : api.listNamespacedIngress({ namespace, labelSelector }));
  },
};

export const SERVICES: ResourceKind<V1Service> = {
  group: '',
  version: 'v1',
  resource: 'services',
  makeLister(kc) {
    const api = kc.makeApiClient(CoreV1Api);
    return (namespace, labelSelector) => (namespace === undefined ? api.listServiceForAllNamespaces({ labelSelector }) : api.listNamespacedService({ namespace, labelSelector }));
  },
};

export const ENDPOINT_SLICES: ResourceKind<V1EndpointSlice> = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  makeLister(kc) {
    const api = kc.makeApiClient(DiscoveryV1Api);
    return (namespace, labelSelector) =>
      namespace === undefined ? api.listEndpointSliceForAllNamespaces({ labelSelector }) : api.listNamespacedEndpointSlice({ namespace, labelSelector });
  },
};

function customKind<T extends KubernetesObject>(resource: string): ResourceKind<T> {
  const group = 'gateway.networking.k8s.io';
  const version = 'v1';
  return {
    group,
    version,
    resource,
    makeLister(kc) {
      const api = kc.makeApiClient(CustomObjectsApi);
      // CustomObjectsApi answers untyped JSON: the list's shape is the API server's, ObjectList.
      return async (namespace, labelSelector) =>
        (namespace === undefined
          ? await api.listCustomObjectForAllNamespaces({ group, version, resourcePlural: resource, labelSelector })
          : await api.listNamespacedCustomObject({ group, version, namespace, plural: resource, labelSelector })) as ObjectList<T>;
    },
  };
}

export const GATEWAYS: ResourceKind<Gateway> = customKind('gateways');
export const HTTP_ROUTES: ResourceKind<HttpRoute> = customKind('httproutes');
