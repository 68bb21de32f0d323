import { isIPv6 } from 'node:net';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { MessageHandler } from './query-handler.js';
import { TcpListener, type TcpLimits } from './tcp-listener.js';
import { UdpListener } from './udp-listener.js';

/** An address the server listens on, with the port actually bound. */
export interface BoundAddress {
  readonly host: string;
  readonly port: number;
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

  constructor(
    private readonly handler: MessageHandler,
    private readonly log: Logger,
    private tcpLimits: TcpLimits,
    /** Cluster workers share sockets through the primary instead of binding exclusively. */
    private readonly opts: { shared?: boolean } = {},
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

  private async listenOne(host: string, port: number): Promise<BoundAddress> {
    // With port 0 the UDP port is picked first and TCP may find it taken: try a few times.
    for (let attempt = 0; ; attempt++) {
      const udp = new UdpListener(this.handler, this.log, isIPv6(host) ? 6 : 4);
      const tcp = new TcpListener(this.handler, this.log, this.tcpLimits);
      let udpPort: number;
      try {
        udpPort = await udp.listen(host, port, !this.opts.shared);
      } catch (err) {
        throw new GeosteerError('LISTEN_FAILED', `dns.listen: cannot bind UDP ${host}:${port}: ${(err as Error).message}`, { cause: err });
      }
      try {
        await tcp.listen(host, udpPort, !this.opts.shared);
      } catch (err) {
        await udp.close();
        if (port === 0 && attempt < 5) continue;
        throw new GeosteerError('LISTEN_FAILED', `dns.listen: cannot listen on TCP ${host}:${udpPort}: ${(err as Error).message}`, { cause: err });
      }
      this.udp.push(udp);
      this.tcp.push(tcp);
      return { host, port: udpPort };
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
  }
}
