import dgram from 'node:dgram';
import type { Logger } from '../shared/logger.js';
import type { MessageHandler } from './query-handler.js';

const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** dgram's lookup hook for addresses that are already IP literals (dgram calls it as (address, family, callback)). */
function literalAddress(address: string, family: number, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, family);
}

/** One UDP socket answering through a QueryHandler. */
export class UdpListener {
  private readonly socket: dgram.Socket;
  /** Packets whose handling threw: a bug, counted and logged at most once a minute. */
  failures = 0;
  private lastFailureLog = 0;

  constructor(
    private readonly handler: MessageHandler,
    private readonly log: Logger,
    family: 4 | 6,
    opts: { reusePort?: boolean } = {},
  ) {
    // A 4 MiB receive buffer absorbs bursts (dnsperf -q 1000 overflows the 208 KiB default and
    // loses queries); the kernel caps it at net.core.rmem_max.
    // Replies only ever go to the sender's address, an IP literal: skip dns.lookup, whose
    // IP check and nextTick per packet showed in the profile under load.
    this.socket = dgram.createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      ipv6Only: family === 6,
      reuseAddr: opts.reusePort ?? false,
      recvBufferSize: RECEIVE_BUFFER_BYTES,
      lookup: literalAddress as never,
    });
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // ICMP-driven errors (port unreachable towards a client) must not stop the socket.
    this.socket.on('error', (err) => this.log.warn({ err }, 'udp socket error'));
  }

  /** Binds; resolves with the port actually bound (useful with port 0). */
  listen(host: string, port: number, exclusive = true): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.socket.once('error', onError);
      this.socket.bind({ address: host, port, exclusive }, () => {
        this.socket.off('error', onError);
        resolve(this.socket.address().port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let out: Buffer | undefined;
    try {
      out = this.handler.handle(msg, 'udp', rinfo.address);
    } catch (err) {
      this.failures++;
      const now = Date.now();
      if (now - this.lastFailureLog > 60_000) {
        this.lastFailureLog = now;
        this.log.error({ err, failures: this.failures }, 'query handler threw; packet dropped');
      }
      return;
    }
    if (out !== undefined) this.socket.send(out, rinfo.port, rinfo.address);
  }
}
