import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a redis-server that can hold back traffic of one connection kind
 * while the others flow: Redis's replies on command connections (the subscriber connection,
 * the one that sent SUBSCRIBE, keeps delivering), or a client's SUBSCRIBE on its way to
 * Redis. The reorderings two sockets see on a real network, made to happen on demand.
 */
export interface ReplyHoldingProxy {
  readonly url: string;
  /** Replies on command connections are buffered from now on. */
  hold(): void;
  /** A SUBSCRIBE sent from now on, and what its connection sends after it, is buffered. */
  holdSubscribes(): void;
  /** Bytes held back so far (either way). */
  readonly heldBytes: number;
  /** Delivers what was held, in order, and stops holding. */
  release(): void;
  close(): Promise<void>;
}

export async function startReplyHoldingProxy(redisPort: number): Promise<ReplyHoldingProxy> {
  let holdingReplies = false;
  let holdingSubscribes = false;
  let heldBytes = 0;
  const held: { to: Socket; data: Buffer }[] = [];
  const sockets = new Set<Socket>();
  /** Connections whose client-to-Redis bytes are held (a SUBSCRIBE came while holding). */
  const upstreamHeld = new Set<Socket>();
  const keep = (to: Socket, data: Buffer) => {
    held.push({ to, data });
    heldBytes += data.length;
  };
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    let subscriber = false;
    sockets.add(client).add(upstream);
    client.on('data', (data) => {
      if (/SUBSCRIBE/i.test(data.toString('latin1'))) {
        subscriber = true;
        if (holdingSubscribes) upstreamHeld.add(upstream);
      }
      if (upstreamHeld.has(upstream)) keep(upstream, data);
      else upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (holdingReplies && !subscriber) keep(client, data);
      else client.write(data);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    hold: () => void (holdingReplies = true),
    holdSubscribes: () => void (holdingSubscribes = true),
    get heldBytes() {
      return heldBytes;
    },
    release() {
      holdingReplies = holdingSubscribes = false;
      upstreamHeld.clear();
      for (const { to, data } of held.splice(0)) to.write(data);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
