import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a redis-server that can hold back Redis's replies on command
 * connections while the subscriber connection (the one that sent SUBSCRIBE) keeps
 * delivering: the reordering two sockets see on a real network, made to happen on demand.
 */
export interface ReplyHoldingProxy {
  readonly url: string;
  /** Replies on command connections are buffered from now on. */
  hold(): void;
  /** Bytes of replies held back so far. */
  readonly heldBytes: number;
  /** Delivers what was held, in order, and stops holding. */
  release(): void;
  close(): Promise<void>;
}

export async function startReplyHoldingProxy(redisPort: number): Promise<ReplyHoldingProxy> {
  let holding = false;
  let heldBytes = 0;
  const held: { client: Socket; data: Buffer }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    let subscriber = false;
    sockets.add(client).add(upstream);
    client.on('data', (data) => {
      if (/SUBSCRIBE/i.test(data.toString('latin1'))) subscriber = true;
      upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (holding && !subscriber) {
        held.push({ client, data });
        heldBytes += data.length;
      } else client.write(data);
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
    hold: () => void (holding = true),
    get heldBytes() {
      return heldBytes;
    },
    release() {
      holding = false;
      for (const { client, data } of held.splice(0)) client.write(data);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
