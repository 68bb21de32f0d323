import http from 'node:http';
import net from 'node:net';
import type { HealthService } from '../../src/health/health-service.js';
import { startServer, type TestServer } from './test-server.js';

/** A real HTTP server on 127.0.0.1 whose /healthz answer a test controls, and which can go away and come back. */
export interface FakeHealthServer {
  readonly port: number;
  /** Requests received so far (method, url, host header). */
  readonly requests: { method: string; url: string; host: string | undefined }[];
  status: number;
  body: string;
  /** Closes the listener and every open connection: checks then get ECONNREFUSED. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function listenOn(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Starts an HTTP health endpoint on a free loopback port. */
export async function startHealthServer(): Promise<FakeHealthServer> {
  const requests: FakeHealthServer['requests'] = [];
  const state = { status: 200, body: 'ok' };
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host });
    res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.body);
  });
  const port = await listenOn(server, 0);
  let listening = true;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    port,
    requests,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    get body() {
      return state.body;
    },
    set body(v: string) {
      state.body = v;
    },
    stop,
    restart: async () => {
      if (listening) return;
      await listenOn(server, port);
      listening = true;
    },
    close: stop,
  };
}

/** A real TCP listener on a free loopback port that can stop and restart. */
export async function startTcpServer(): Promise<{ port: number; accepted: () => number; stop(): Promise<void>; restart(): Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.end();
  });
  const port = await listenOn(server, 0);
  let listening = true;
  return {
    port,
    accepted: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!listening) return resolve();
        listening = false;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    restart: async () => {
      if (listening) return;
      await listenOn(server, port);
      listening = true;
    },
  };
}

/**
 * Starts geosteer on `doc` with its health checks running (no jitter: waits are exactly the
 * interval); pushes its stop onto `cleanups`. Resolves after the first round of checks.
 */
export async function serveWithHealth(doc: Record<string, any>, cleanups: (() => Promise<void> | void)[]): Promise<{ server: TestServer; monitor: HealthService }> {
  const server = await startServer(doc, { healthRandom: () => 0.5 });
  cleanups.push(() => server.close());
  await server.service.health.firstChecks();
  return { server, monitor: server.service.health };
}
