import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A fake Kubernetes API server for networking.k8s.io/v1 Ingresses: list and watch on the
// real paths (cluster-wide and namespaced), equality label selectors, resourceVersion, and
// (plain HTTP, so the kubeconfig says insecure-skip-tls-verify, which client-node demands)
// watch streams of JSON lines {"type":"ADDED","object":{...}} kept open until the server
// closes. Enough for @kubernetes/client-node's list + Watch. Loopback only.

/** The parts of an Ingress the fake keeps. */
export interface FakeIngress {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** status.loadBalancer.ingress[] */
  lb: { ip?: string; hostname?: string }[];
}

interface Event {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Record<string, unknown>;
}

/** Started fake: its URL, a kubeconfig file pointing at it, and ways to change Ingresses. */
export interface FakeKubernetes {
  server: string;
  kubeconfigPath: string;
  apply(ing: FakeIngress): void;
  remove(namespace: string, name: string): void;
  /** Paths (with query) requested so far. */
  requests: string[];
  /** Open watch streams right now. */
  watchers(): number;
  close(): Promise<void>;
}

function toObject(ing: FakeIngress, rv: number): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: ing.name, namespace: ing.namespace, labels: ing.labels ?? {}, annotations: ing.annotations ?? {}, resourceVersion: String(rv), uid: `${ing.namespace}-${ing.name}` },
    spec: { rules: [] },
    status: { loadBalancer: { ingress: ing.lb } },
  };
}

function matches(obj: any, namespace: string | undefined, selector: string | null): boolean {
  if (namespace && obj.metadata.namespace !== namespace) return false;
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return obj.metadata.labels?.[k] === v;
  });
}

/** Starts the fake on 127.0.0.1, port 0, and writes a kubeconfig (context `ctx`) for it. */
export async function startFakeKubernetes(context = 'fake'): Promise<FakeKubernetes> {
  let rv = 100;
  const objects = new Map<string, Record<string, unknown>>();
  const history: Event[] = [];
  const streams = new Set<{ res: ServerResponse; namespace: string | undefined; selector: string | null }>();
  const requests: string[] = [];

  const emit = (e: Event) => {
    history.push(e);
    for (const s of streams) if (matches(e.object, s.namespace, s.selector)) s.res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/apis\/networking\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?ingresses$/.exec(url.pathname);
    if (!m || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
      return;
    }
    const namespace = m[1] ? decodeURIComponent(m[1]) : undefined;
    const selector = url.searchParams.get('labelSelector');
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') {
      const from = Number(url.searchParams.get('resourceVersion') || rv);
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const stream = { res, namespace, selector };
      streams.add(stream);
      res.on('close', () => streams.delete(stream));
      for (const e of history) if (e.rv > from && matches(e.object, namespace, selector)) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
      return;
    }
    const items = [...objects.values()].filter((o) => matches(o, namespace, selector));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'IngressList', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: String(rv) }, items }));
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
  return {
    server: url,
    kubeconfigPath,
    requests,
    watchers: () => streams.size,
    apply(ing) {
      const key = `${ing.namespace}/${ing.name}`;
      const type = objects.has(key) ? 'MODIFIED' : 'ADDED';
      const object = toObject(ing, ++rv);
      objects.set(key, object);
      emit({ rv, type, object });
    },
    remove(namespace, name) {
      const key = `${namespace}/${name}`;
      const object = objects.get(key);
      if (!object) return;
      objects.delete(key);
      emit({ rv: ++rv, type: 'DELETED', object: { ...object, metadata: { ...(object.metadata as object), resourceVersion: String(rv) } } });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
