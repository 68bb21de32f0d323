import dgram from 'node:dgram';
import type { Logger } from '../shared/logger.js';
import type { QueryHandler } from './query-handler.js';
import { HandlerFailures, RECEIVE_BUFFER_BYTES, type UdpBindOptions, type UdpListener } from './udp-listener.js';

/** dgram's lookup hook for addresses that are already IP literals (dgram calls it as (address, family, callback)). */
function literalAddress(address: string, family: number, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, family);
}

/** One node:dgram socket answering through a QueryHandler: a Buffer and a send per packet (the fallback path). */
export class DgramUdpListener implements UdpListener {
  readonly kind = 'dgram' as const;
  private readonly socket: dgram.Socket;
  private readonly failed: HandlerFailures;

  constructor(
    private readonly handler: Pick<QueryHandler, 'handle'>,
    log: Logger,
    family: 4 | 6,
    private readonly opts: UdpBindOptions,
  ) {
    this.failed = new HandlerFailures(log);
    // Replies only ever go to the sender's address, an IP literal: skip dns.lookup, whose
    // IP check and nextTick per packet showed in the profile under load.
    this.socket = dgram.createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      ipv6Only: family === 6,
      reusePort: opts.reusePort,
      recvBufferSize: RECEIVE_BUFFER_BYTES,
      lookup: literalAddress as never,
    });
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // ICMP-driven errors (port unreachable towards a client) must not stop the socket.
    this.socket.on('error', (err) => log.warn({ err }, 'udp socket error'));
  }

  get failures(): number {
    return this.failed.count;
  }

  listen(host: string, port: number): Promise<number> {
    // shared: through the cluster primary; SO_REUSEPORT sockets are this process's own
    const exclusive = this.opts.reusePort || !this.opts.shared;
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
      this.failed.record(err);
      return;
    }
    if (out !== undefined) this.socket.send(out, rinfo.port, rinfo.address);
  }
}
