import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchesLabels, parseLabelSelector, type LabelRequirement } from './label-selector.js';

// A fake Kubernetes API server speaking the real HTTP contract for the kinds geosteer reads:
// core/v1 Services, networking.k8s.io/v1 Ingresses, discovery.k8s.io/v1 EndpointSlices and
// the gateway.networking.k8s.io/v1 CRDs Gateway and HTTPRoute. List and watch on the real
// paths (cluster-wide and namespaced), label selectors, one resourceVersion counter for
// everything (as etcd has), watch streams of JSON lines from a resourceVersion (with the
// selector transitions a real server makes: an object that stops matching arrives as
// DELETED), BOOKMARK events for watches that allow them, compaction (a watch from an older
// resourceVersion gets 410 Gone as an ERROR event or an HTTP status), server-side close of
// watches, and injected failures. Plain HTTP, so the kubeconfig says
// insecure-skip-tls-verify, which client-node demands. Loopback only.

/** An object as the fake stores it: apiVersion + kind pick the collection. */
export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: { namespace: string; name: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; uid?: string };
  [field: string]: unknown;
}

/** The collections served, by kind. */
const COLLECTIONS: Record<string, { group: string; version: string; resource: string }> = {
  Service: { group: '', version: 'v1', resource: 'services' },
  Ingress: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' },
  EndpointSlice: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  Gateway: { group: 'gateway.networking.k8s.io', version: 'v1', resource: 'gateways' },
  HTTPRoute: { group: 'gateway.networking.k8s.io', version: 'v1', resource: 'httproutes' },
};

/** One API call as RBAC sees it: the verb and "resource.group" (core: just the resource). */
export interface FakeCall {
  verb: 'list' | 'watch';
  resource: string;
  namespace: string | undefined;
}

interface Event {
  rv: number;
  resource: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: FakeObject;
  previous: FakeObject | undefined;
}

interface Stream {
  res: ServerResponse;
  resource: string;
  namespace: string | undefined;
  selector: LabelRequirement[];
  bookmarks: boolean;
  /** kind and apiVersion of the collection, which a BOOKMARK object carries. */
  type: { kind: string; apiVersion: string };
}

/** Started fake: its URL, a kubeconfig file pointing at it, and ways to change the cluster. */
export interface FakeKubernetes {
  server: string;
  kubeconfigPath: string;
  /** Creates or replaces an object (ADDED or MODIFIED to watchers). */
  apply(obj: FakeObject): void;
  /** Deletes an object of `kind` (DELETED to watchers); absent objects are ignored. */
  remove(kind: string, namespace: string, name: string): void;
  /** Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks. */
  bookmark(): void;
  /** Forgets all history up to now: a watch from an older resourceVersion gets 410 Gone (as an ERROR event, or an HTTP status). */
  compact(as?: 'event' | 'status'): void;
  /** Ends every open watch normally, as an API server does when a watch times out. */
  closeWatches(): void;
  /** Ends every open watch with an ERROR event carrying a Status of `code` (a storage error mid-watch). */
  errorWatches(code: number, message: string): void;
  /** Answers every request for `resource` ("ingresses.networking.k8s.io"; undefined: all) with HTTP `status`, ending its open watches; `fail(undefined)` heals. */
  fail(status: number | undefined, resource?: string): void;
  /** While on, new watches get no response headers until an event is written (an API server that hangs). */
  stall(on: boolean): void;
  /** The resourceVersion of the latest change. */
  resourceVersion(): number;
  /** Paths (with query) requested so far. */
  requests: string[];
  /** Lists and watches so far, for the RBAC a configuration needs. */
  calls: FakeCall[];
  /** Open watch streams right now (of `resource` when given). */
  watchers(resource?: string): number;
  close(): Promise<void>;
}

const rbacName = (kind: string) => (COLLECTIONS[kind].group === '' ? COLLECTIONS[kind].resource : `${COLLECTIONS[kind].resource}.${COLLECTIONS[kind].group}`);

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message, code }));
}

/** Parses /api/v1/[namespaces/NS/]RES and /apis/GROUP/VERSION/[namespaces/NS/]RES into the kind served there. */
function route(pathname: string): { kind: string; namespace: string | undefined } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(?:namespaces\/([^/]+)\/)?([a-z]+)$/.exec(pathname);
  if (!m) return undefined;
  const [group, version] = m[1] ? ['', m[1]] : [m[2], m[3]];
  const kind = Object.keys(COLLECTIONS).find((k) => COLLECTIONS[k].group === group && COLLECTIONS[k].version === version && COLLECTIONS[k].resource === m[5]);
  return kind === undefined ? undefined : { kind, namespace: m[4] === undefined ? undefined : decodeURIComponent(m[4]) };
}

/** Starts the fake on 127.0.0.1, port 0, and writes a kubeconfig (context `context`, current-context `other`) for it. */
export async function startFakeKubernetes(context = 'fake'): Promise<FakeKubernetes> {
  let rv = 100;
  let compactedRv = 0;
  let compactAs: 'event' | 'status' = 'event';
  let stalled = false;
  const objects = new Map<string, FakeObject>(); // resource/namespace/name
  let history: Event[] = [];
  const streams = new Set<Stream>();
  const failing = new Map<string | undefined, number>(); // resource (undefined: all) -> HTTP status
  const requests: string[] = [];
  const calls: FakeCall[] = [];

  const inScope = (s: Stream, o: FakeObject | undefined) => o !== undefined && (s.namespace === undefined || o.metadata.namespace === s.namespace) && matchesLabels(s.selector, o.metadata.labels ?? {});
  /** The event a stream sees: label-selector transitions turn MODIFIED into ADDED or DELETED. */
  const seenBy = (s: Stream, e: Event): { type: string; object: FakeObject } | undefined => {
    if (e.resource !== s.resource) return undefined;
    const now = e.type !== 'DELETED' && inScope(s, e.object);
    const before = e.type !== 'ADDED' && inScope(s, e.previous);
    if (now) return { type: before || e.type === 'ADDED' ? e.type : 'ADDED', object: e.object };
    if (before) return { type: 'DELETED', object: e.object };
    return undefined;
  };
  // Out of the set at once: a change applied in the same tick must not write to an ended response.
  const end = (s: Stream) => {
    streams.delete(s);
    s.res.end();
  };
  const send = (s: Stream, line: unknown) => s.res.write(`${JSON.stringify(line)}\n`);
  const emit = (e: Event) => {
    history.push(e);
    for (const s of streams) {
      const seen = seenBy(s, e);
      if (seen) send(s, seen);
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const at = req.method === 'GET' ? route(url.pathname) : undefined;
    if (!at) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const resource = rbacName(at.kind);
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    calls.push({ verb: watch ? 'watch' : 'list', resource, namespace: at.namespace });
    const down = failing.get(resource) ?? failing.get(undefined);
    if (down !== undefined) {
      // The Status bodies a real API server sends for these codes.
      const { group, resource: plural } = COLLECTIONS[at.kind];
      const scope = at.namespace === undefined ? 'at the cluster scope' : `in the namespace "${at.namespace}"`;
      if (down === 404) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      if (down === 403) return status(res, 403, 'Forbidden', `${resource} is forbidden: User "system:serviceaccount:geosteer:geosteer" cannot ${watch ? 'watch' : 'list'} resource "${plural}" in API group "${group}" ${scope}`);
      if (down === 401) return status(res, 401, 'Unauthorized', 'Unauthorized');
      return status(res, down, 'InternalError', `injected failure ${down}`);
    }
    const selector = parseLabelSelector(url.searchParams.get('labelSelector') ?? '');
    if (selector === undefined) return status(res, 400, 'BadRequest', `unable to parse requirement: ${url.searchParams.get('labelSelector')}`);
    const { group, version } = COLLECTIONS[at.kind];
    const apiVersion = group === '' ? version : `${group}/${version}`;
    const stream: Stream = { res, resource, namespace: at.namespace, selector, bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true', type: { kind: at.kind, apiVersion } };
    const current = [...objects.entries()].filter(([k, o]) => k.startsWith(`${resource}/`) && inScope(stream, o)).map(([, o]) => o);
    if (!watch) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: `${at.kind}List`, apiVersion, metadata: { resourceVersion: String(rv) }, items: current }));
      return;
    }
    const fromText = url.searchParams.get('resourceVersion') ?? '';
    const from = Number(fromText);
    if (fromText !== '' && fromText !== '0' && from < compactedRv) {
      const message = `too old resource version: ${from} (${compactedRv})`;
      if (compactAs === 'status') return status(res, 410, 'Expired', message);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 } })}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    if (!stalled) res.flushHeaders(); // the API server answers a watch's headers at once, events or not
    streams.add(stream);
    res.on('close', () => streams.delete(stream));
    // No resourceVersion: the current state as ADDED events first (the API's "Get State and Start at Most Recent").
    if (fromText === '' || fromText === '0') for (const o of current) send(stream, { type: 'ADDED', object: o });
    else {
      for (const e of history) {
        const seen = e.rv > from ? seenBy(stream, e) : undefined;
        if (seen) send(stream, seen);
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `  - name: fake\n    cluster:\n      server: ${url}\n      insecure-skip-tls-verify: true`,
      'users:',
      '  - name: tester\n    user:\n      token: fake-token',
      'contexts:',
      `  - name: ${context}\n    context:\n      cluster: fake\n      user: tester`,
      '  - name: other\n    context:\n      cluster: fake\n      user: tester',
      'current-context: other',
      '',
    ].join('\n'),
  );
  const keyOf = (resource: string, namespace: string, name: string) => `${resource}/${namespace}/${name}`;
  return {
    server: url,
    kubeconfigPath,
    requests,
    calls,
    watchers: (resource) => [...streams].filter((s) => resource === undefined || s.resource === resource).length,
    apply(obj) {
      const resource = rbacName(obj.kind);
      const key = keyOf(resource, obj.metadata.namespace, obj.metadata.name);
      const previous = objects.get(key);
      const object = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv), uid: key } };
      objects.set(key, object);
      emit({ rv, resource, type: previous ? 'MODIFIED' : 'ADDED', object, previous });
    },
    remove(kind, namespace, name) {
      const resource = rbacName(kind);
      const key = keyOf(resource, namespace, name);
      const previous = objects.get(key);
      if (!previous) return;
      objects.delete(key);
      emit({ rv: ++rv, resource, type: 'DELETED', object: { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } }, previous });
    },
    bookmark() {
      for (const s of streams) if (s.bookmarks) send(s, { type: 'BOOKMARK', object: { ...s.type, metadata: { resourceVersion: String(rv) } } });
    },
    compact(as = 'event') {
      compactedRv = rv;
      compactAs = as;
      history = [];
    },
    closeWatches() {
      for (const s of streams) end(s);
    },
    errorWatches(code, message) {
      for (const s of streams) {
        send(s, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InternalError', code } });
        end(s);
      }
    },
    fail(code, resource) {
      if (code === undefined) return failing.clear();
      failing.set(resource, code);
      for (const s of streams) if (resource === undefined || s.resource === resource) end(s);
    },
    resourceVersion: () => rv,
    stall(on) {
      stalled = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
