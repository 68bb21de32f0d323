import { isIPv6 } from 'node:net';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { QueryHandler } from './query-handler.js';
import { TcpListener, type TcpLimits } from './tcp-listener.js';
import { UdpListener } from './udp-listener.js';

/** An address the server listens on, with the port actually bound. */
export interface BoundAddress {
  readonly host: string;
  readonly port: number;
}

/** UDP and TCP listeners on every configured address, all answering through one handler. */
export class DnsServer {
  private readonly udp: UdpListener[] = [];
  private readonly tcp: TcpListener[] = [];

  constructor(
    private readonly handler: QueryHandler,
    private readonly log: Logger,
    private readonly tcpLimits: TcpLimits,
    /** Cluster workers share sockets through the primary instead of binding exclusively. */
    private readonly opts: { shared?: boolean } = {},
  ) {}

  /**
   * Listens on UDP and TCP at each address. Port 0 picks a free port, the same one for
   * UDP and TCP. Rejects with a LISTEN_FAILED error naming the address.
   */
  async listen(addresses: readonly { host: string; port: number }[]): Promise<BoundAddress[]> {
    const bound: BoundAddress[] = [];
    for (const { host, port } of addresses) bound.push(await this.listenOne(host, port));
    return bound;
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
