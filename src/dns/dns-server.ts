import { isIPv6 } from 'node:net';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { DgramUdpListener } from './dgram-udp-listener.js';
import { loadNativeUdp, NATIVE_UDP_ADDON, type NativeUdpAddon } from './native-udp-binding.js';
import { NativeUdpListener } from './native-udp-listener.js';
import type { MessageHandler } from './query-handler.js';
import { TcpListener, type TcpLimits } from './tcp-listener.js';
import type { UdpBindOptions, UdpListener } from './udp-listener.js';

/** An address the server listens on, with the port actually bound. */
export interface BoundAddress {
  readonly host: string;
  readonly port: number;
}

/** Which UDP path moves datagrams, and why: the native recvmmsg/sendmmsg addon, or node:dgram. */
export interface UdpBackend {
  readonly kind: 'recvmmsg' | 'dgram';
  readonly reason: string;
}

/** How DnsServer binds. */
export interface DnsServerOptions {
  /** Cluster workers share the primary's sockets (node:cluster) instead of binding their own. */
  readonly shared?: boolean;
  /**
   * UDP only: this process binds its own SO_REUSEPORT socket on each address and the kernel
   * spreads datagrams over the processes' sockets; each DNS worker sets it (the native path
   * cannot share a socket through the cluster primary). Give concrete ports: with port 0
   * each process would get its own.
   */
  readonly udpReusePort?: boolean;
  /** 'dgram' forces node:dgram; 'auto' (default) takes the native path where it loads. */
  readonly udp?: 'auto' | 'dgram';
}

/**
 * Socket errors that are about the address, not the path: node:dgram would fail the same way.
 * (EINVAL is not among them: the addon takes IP literals only, so "[fe80::1%eth0]" goes to dgram.)
 */
const ADDRESS_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

/** The native addon to use, or why not. `GEOSTEER_UDP=dgram` in `env` forces node:dgram. */
function nativePath(env: NodeJS.ProcessEnv, opts: DnsServerOptions): { addon: NativeUdpAddon; backend: UdpBackend } | UdpBackend {
  const forced = env.GEOSTEER_UDP;
  if (forced !== undefined && forced !== '' && forced !== 'auto' && forced !== 'dgram') {
    throw new GeosteerError('LISTEN_FAILED', `GEOSTEER_UDP: expected "auto" or "dgram", got ${JSON.stringify(forced)}`);
  }
  if (forced === 'dgram') return { kind: 'dgram', reason: 'forced by GEOSTEER_UDP=dgram' };
  if (opts.udp === 'dgram') return { kind: 'dgram', reason: 'forced by the caller' };
  if (opts.shared && !opts.udpReusePort) return { kind: 'dgram', reason: 'cluster worker sharing the primary\'s socket (udpReusePort not set)' };
  const loaded = loadNativeUdp(env.GEOSTEER_UDP_ADDON || NATIVE_UDP_ADDON);
  if (loaded.addon === undefined) return { kind: 'dgram', reason: loaded.reason };
  return { addon: loaded.addon, backend: { kind: 'recvmmsg', reason: `native addon ${loaded.path}` } };
}

/** The UDP path a server in this process takes by default (for logs and geosteer_build_info). */
export function udpBackend(env: NodeJS.ProcessEnv = process.env, opts: DnsServerOptions = {}): UdpBackend {
  const path = nativePath(env, opts);
  return 'addon' in path ? path.backend : path;
}

/** Errors that mean the host has no IPv6 at all (kernel without it, or disabled): not a config mistake. */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EPROTONOSUPPORT']);

/** True when `err` says this host cannot do IPv6 for `host` (any address: no IPv6; :: or ::1: IPv6 disabled). */
function isIPv6Unavailable(host: string, err: unknown): boolean {
  const code = (err as { cause?: { code?: string } }).cause?.code;
  if (code !== undefined && NO_IPV6.has(code)) return true;
  return code === 'EADDRNOTAVAIL' && (host === '::' || host === '::1');
}

/** UDP and TCP listeners on every configured address, all answering through one handler. */
export class DnsServer {
  private readonly udp: UdpListener[] = [];
  private readonly tcp: TcpListener[] = [];
  private readonly backends: (BoundAddress & UdpBackend)[] = [];

  constructor(
    private readonly handler: MessageHandler,
    private readonly log: Logger,
    private tcpLimits: TcpLimits,
    private readonly opts: DnsServerOptions = {},
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /**
   * Listens on UDP and TCP at each address. Port 0 picks a free port, the same one for
   * UDP and TCP. Rejects with a LISTEN_FAILED error naming the address. An IPv6 address on a
   * host without IPv6 is skipped with one warning, as long as another address is served.
   */
  async listen(addresses: readonly { host: string; port: number }[]): Promise<BoundAddress[]> {
    const bound: BoundAddress[] = [];
    const skipped: { address: string; err: Error }[] = [];
    for (const { host, port } of addresses) {
      try {
        bound.push(await this.listenOne(host, port));
      } catch (err) {
        if (!isIPv6(host) || !isIPv6Unavailable(host, err)) throw err;
        skipped.push({ address: `[${host}]:${port}`, err: err as Error });
      }
    }
    if (skipped.length > 0 && bound.length === 0) throw skipped[0].err;
    for (const s of skipped) {
      this.log.warn({ address: s.address, err: s.err.message }, `dns.listen: IPv6 is not available on this host; not serving ${s.address} (IPv4 only)`);
    }
    return bound;
  }

  /** New TCP limits after a config reload (see TcpListener.setLimits). */
  setTcpLimits(limits: TcpLimits): void {
    this.tcpLimits = limits;
    for (const t of this.tcp) t.setLimits(limits);
  }

  /** The UDP path of each bound address (an address whose native bind failed fell back to dgram). */
  udpBackends(): readonly (BoundAddress & UdpBackend)[] {
    return this.backends;
  }

  private async listenOne(host: string, port: number): Promise<BoundAddress> {
    // With port 0 the UDP port is picked first and TCP may find it taken: try a few times.
    for (let attempt = 0; ; attempt++) {
      const { udp, udpPort, backend } = await this.bindUdp(host, port);
      const tcp = new TcpListener(this.handler, this.log, this.tcpLimits);
      try {
        await tcp.listen(host, udpPort, !this.opts.shared);
      } catch (err) {
        await udp.close();
        if (port === 0 && attempt < 5) continue;
        throw new GeosteerError('LISTEN_FAILED', `dns.listen: cannot listen on TCP ${host}:${udpPort}: ${(err as Error).message}`, { cause: err });
      }
      this.udp.push(udp);
      this.tcp.push(tcp);
      this.backends.push({ host, port: udpPort, ...backend });
      this.log.info({ host, port: udpPort, udp: backend.kind, reason: backend.reason }, `dns: UDP on ${host}:${udpPort} through ${backend.kind === 'recvmmsg' ? 'recvmmsg/sendmmsg batches' : 'node:dgram'}`);
      return { host, port: udpPort };
    }
  }

  /** Binds UDP on the native path when it is available, else (or when its bind fails for another reason than the address) on node:dgram. */
  private async bindUdp(host: string, port: number): Promise<{ udp: UdpListener; udpPort: number; backend: UdpBackend }> {
    const bind: UdpBindOptions = { shared: this.opts.shared ?? false, reusePort: this.opts.udpReusePort ?? false };
    const path = nativePath(this.env, this.opts);
    let backend: UdpBackend;
    if ('addon' in path) {
      const native = new NativeUdpListener(path.addon, this.handler, this.log, bind);
      try {
        return { udp: native, udpPort: await native.listen(host, port), backend: path.backend };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (ADDRESS_ERRORS.has(code)) throw listenFailed(host, port, err);
        backend = { kind: 'dgram', reason: `native bind failed (${(err as Error).message})` };
        this.log.warn({ err, host, port }, `dns: native UDP socket on ${host}:${port} failed; this address uses node:dgram`);
      }
    } else backend = path;
    const udp = new DgramUdpListener(this.handler, this.log, isIPv6(host) ? 6 : 4, bind);
    try {
      return { udp, udpPort: await udp.listen(host, port), backend };
    } catch (err) {
      throw listenFailed(host, port, err);
    }
  }

  /** Queries whose handling threw (bugs; each was dropped), over all listeners. */
  get failures(): number {
    return this.udp.reduce((n, u) => n + u.failures, 0) + this.tcp.reduce((n, t) => n + t.failures, 0);
  }

  /** Stops UDP at once; TCP stops accepting and finishes the queries it has. */
  async close(): Promise<void> {
    await Promise.all([...this.udp.map((u) => u.close()), ...this.tcp.map((t) => t.close())]);
    this.udp.length = 0;
    this.tcp.length = 0;
    this.backends.length = 0;
  }
}

function listenFailed(host: string, port: number, err: unknown): GeosteerError {
  return new GeosteerError('LISTEN_FAILED', `dns.listen: cannot bind UDP ${host}:${port}: ${(err as Error).message}`, { cause: err });
}
