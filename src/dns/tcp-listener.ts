import net from 'node:net';
import type { Logger } from '../shared/logger.js';
import type { MessageHandler } from './query-handler.js';

/** Bounds that keep one client from pinning memory or sockets (RFC 7766 6.2). */
export interface TcpLimits {
  readonly maxConnections: number;
  /** Close a connection that completes no query for this long, ms (trickled bytes do not count). */
  readonly idleTimeoutMs: number;
  readonly maxQueriesPerConnection: number;
}

// A message is at most 65535 octets plus its 2-octet length (RFC 1035 4.2.2), so a
// connection never buffers more than this, whatever length prefix it announces.
const MAX_BUFFERED = 65537;
/** Replies a connection may leave unread before we stop reading its queries, bytes. */
const MAX_UNREAD_REPLIES = 64 * 1024;

/** DNS over TCP: length-prefixed messages, pipelined, answered in order. */
export class TcpListener {
  private readonly server: net.Server;
  /** Open connections and whether each holds part of a query not yet answered. */
  private readonly sockets = new Map<net.Socket, { partial: boolean }>();
  private closing = false;
  /** Messages whose handling threw: a bug, counted; the connection is closed. */
  failures = 0;

  constructor(
    private readonly handler: MessageHandler,
    private readonly log: Logger,
    private limits: TcpLimits,
  ) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    this.server.maxConnections = limits.maxConnections;
  }

  /** New limits (a config reload): the connection cap now, idle and query limits for connections opened from now on. */
  setLimits(limits: TcpLimits): void {
    this.limits = limits;
    this.server.maxConnections = limits.maxConnections;
  }

  /** Listens; resolves with the port actually bound. */
  listen(host: string, port: number, exclusive = true): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, ipv6Only: host.includes(':'), exclusive }, () => {
        this.server.off('error', onError);
        // from here on an error is the running server's; one during listen is the caller's (port 0 retries it)
        this.server.on('error', (err) => this.log.warn({ err }, 'tcp server error'));
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Number of open client connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /**
   * Stops accepting and closes idle connections at once; a connection holding part of a
   * query is closed right after that query is answered (or at its idle timeout).
   */
  close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const [socket, state] of this.sockets) if (!state.partial) socket.end();
    return closed;
  }

  private onConnection(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const state = { partial: false };
    this.sockets.set(socket, state);
    // The idle clock restarts only when a whole message has arrived, not on every byte, so a
    // client trickling a message (or announcing a length it never sends) is closed on time.
    const idle = setTimeout(() => socket.destroy(), this.limits.idleTimeoutMs);
    const remote = socket.remoteAddress ?? '';
    let buffered: Buffer = Buffer.alloc(0);
    let answered = 0;
    socket.on('data', (chunk: Buffer) => {
      if (socket.writableEnded) return;
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (len === 0) return void socket.destroy();
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        idle.refresh();
        this.answer(socket, msg, remote);
        if (++answered >= this.limits.maxQueriesPerConnection) {
          socket.end();
          return;
        }
      }
      if (buffered.length > MAX_BUFFERED) return void socket.destroy();
      state.partial = buffered.length > 0;
      if (this.closing && !state.partial) return void socket.end();
      // Keep only what is still needed, so a slice does not pin a large chunk.
      if (state.partial && buffered.byteOffset !== 0) buffered = Buffer.from(buffered);
      // A client that sends but does not read: stop reading its queries until it drains our
      // replies, so unread responses cannot pile up (it is closed when idle runs out).
      if (socket.writableLength > MAX_UNREAD_REPLIES) socket.pause();
    });
    socket.on('drain', () => socket.resume());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(idle);
      this.sockets.delete(socket);
    });
  }

  private answer(socket: net.Socket, msg: Buffer, remote: string): void {
    let out: Buffer | undefined;
    try {
      out = this.handler.handle(msg, 'tcp', remote);
    } catch (err) {
      this.failures++;
      this.log.error({ err }, 'query handler threw; connection closed');
      socket.destroy();
      return;
    }
    if (out === undefined) return;
    const frame = Buffer.allocUnsafe(2 + out.length);
    frame.writeUInt16BE(out.length, 0);
    out.copy(frame, 2);
    socket.write(frame);
  }
}
