import type { Logger } from '../shared/logger.js';

// What DnsServer needs from a UDP socket, whichever path backs it: node:dgram
// (dgram-udp-listener.ts) or the native recvmmsg/sendmmsg addon (native-udp-listener.ts).

/**
 * A 4 MiB receive buffer absorbs bursts (dnsperf -q 1000 overflows the 208 KiB default and
 * loses queries); the kernel caps it at net.core.rmem_max.
 */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** One UDP socket answering through a QueryHandler. */
export interface UdpListener {
  /** Which path moves the datagrams. */
  readonly kind: 'recvmmsg' | 'dgram';
  /** Packets whose handling threw (a bug; each was dropped). */
  readonly failures: number;
  /** Binds; resolves with the port actually bound (useful with port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Stops receiving; the port is free when this resolves. */
  close(): Promise<void>;
}

/** How a listener binds: through the cluster primary (shared), or in this process with SO_REUSEPORT. */
export interface UdpBindOptions {
  /** Cluster workers share one socket through the primary (node:cluster; dgram only). */
  readonly shared: boolean;
  /** Each process binds its own socket with SO_REUSEPORT; the kernel spreads datagrams over them. */
  readonly reusePort: boolean;
}

/** Handler exceptions on UDP: a bug, counted and logged at most once a minute (the packet is dropped). */
export class HandlerFailures {
  count = 0;
  private lastLog = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(err: unknown): void {
    this.count++;
    const now = this.now();
    if (now - this.lastLog > 60_000) {
      this.lastLog = now;
      this.log.error({ err, failures: this.count }, 'query handler threw; packet dropped');
    }
  }
}
