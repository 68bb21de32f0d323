import { describe, it } from 'vitest';
import { DnsServer, udpBackend, type DnsServerOptions } from '../../src/dns/dns-server.js';
import type { MessageHandler } from '../../src/dns/query-handler.js';
import type { ServiceDeps } from '../../src/service/build-service.js';
import { silentLogger } from '../../src/shared/logger.js';
import { exampleDocument, startServer, type TestServer } from './test-server.js';

// The two UDP paths (src/dns/README.md): the native recvmmsg/sendmmsg addon and node:dgram.
// Socket tests run against each, through DnsServer with the path chosen explicitly.

/** A UDP path a test can ask for. */
export type UdpPath = 'recvmmsg' | 'dgram';

const IN_CI = process.env.CI === 'true';
const TCP_LIMITS = { maxConnections: 100, idleTimeoutMs: 10_000, maxQueriesPerConnection: 1000 };

/** A DnsServer answering through one handler on 127.0.0.1 (and ::1 when asked), on free ports. */
export interface PathServer {
  readonly server: DnsServer;
  readonly port: number;
  readonly port6: number | undefined;
  close(): Promise<void>;
}

/** Listens with `path` (throws when the native path was asked for and the server fell back). */
export async function listenWithPath(handler: MessageHandler, path: UdpPath, opts: { ipv6?: boolean } & DnsServerOptions = {}): Promise<PathServer> {
  const { ipv6, ...serverOpts } = opts;
  const server = new DnsServer(handler, silentLogger(), TCP_LIMITS, { ...serverOpts, udp: path === 'dgram' ? 'dgram' : 'auto' });
  const bound = await server.listen([{ host: '127.0.0.1', port: 0 }, ...(ipv6 ? [{ host: '::1', port: 0 }] : [])]);
  const kinds = server.udpBackends().map((b) => b.kind);
  if (kinds.some((k) => k !== path)) {
    await server.close();
    throw new Error(`asked for UDP path ${path}, got ${JSON.stringify(server.udpBackends())}`);
  }
  return { server, port: bound[0].port, port6: bound[1]?.port, close: () => server.close() };
}

/** The production wiring (startServer) with UDP on `path`; throws when the native path was asked for and the server fell back. */
export async function startServerOnPath(path: UdpPath, doc: Record<string, any> = exampleDocument(), deps: Partial<ServiceDeps> = {}): Promise<TestServer> {
  const server = await startServer(doc, { env: { GEOSTEER_UDP: path === 'dgram' ? 'dgram' : 'auto' }, ...deps });
  const kinds = server.service.udpBackends().map((b) => b.kind);
  if (kinds.some((k) => k !== path)) {
    await server.close();
    throw new Error(`asked for UDP path ${path}, got ${JSON.stringify(server.service.udpBackends())}`);
  }
  return server;
}

/** Why the native path cannot run here, or undefined when it can. */
export function nativeUnavailable(): string | undefined {
  const backend = udpBackend();
  return backend.kind === 'recvmmsg' ? undefined : backend.reason;
}

/** Fails in CI, skips loudly elsewhere: what a native-path test does where the addon is missing. */
function unavailable(title: string, missing: string, body: () => void, kind: 'describe' | 'it'): void {
  if (IN_CI) {
    const fail = () => {
      throw new Error(`native UDP path unavailable: ${missing}; run npm ci (or npm run build:native); CI=true, so this is a failure, not a skip`);
    };
    if (kind === 'describe') describe(title, () => it('needs the native UDP addon', fail));
    else it(title, fail);
    return;
  }
  console.warn(`\n!!! SKIPPING "${title}": native UDP path unavailable: ${missing} (npm run build:native builds it)\n`);
  if (kind === 'describe') describe.skip(title, body);
  else it.skip(title, body);
}

/** `it` for a test that needs the native addon (see `unavailable` where it is missing). */
export function itWithNative(title: string, body: () => Promise<void> | void, timeoutMs?: number): void {
  const missing = nativeUnavailable();
  if (missing === undefined) it(title, body, timeoutMs);
  else unavailable(title, missing, body, 'it');
}

/**
 * `describe` once per UDP path. Where the addon is not built (or not loadable), the native
 * suite fails in CI (CI=true) and is skipped with a loud warning elsewhere.
 */
export function describeEachUdpPath(name: string, body: (path: UdpPath) => void): void {
  for (const path of ['recvmmsg', 'dgram'] as const) {
    const title = `${name} [${path}]`;
    const missing = path === 'recvmmsg' ? nativeUnavailable() : undefined;
    if (missing === undefined) describe(title, () => body(path));
    else unavailable(title, missing, () => body(path), 'describe');
  }
}
