import type { FastifyInstance } from 'fastify';
import { parseListenAddress } from '../config/schema.js';
import { GeosteerError } from '../shared/errors.js';

/** Listens on `admin.listen` ("host:port", port 0 picks one); resolves with the bound address. */
export async function listenAdmin(server: FastifyInstance, listen: string): Promise<{ host: string; port: number }> {
  const address = parseListenAddress(listen);
  if (!address) throw new GeosteerError('LISTEN_FAILED', `admin.listen: expected host:port, got ${JSON.stringify(listen)}`);
  try {
    await server.listen({ host: address.host, port: address.port });
  } catch (err) {
    throw new GeosteerError('LISTEN_FAILED', `admin.listen: cannot listen on ${listen}: ${(err as Error).message}`, { cause: err });
  }
  const bound = server.server.address();
  return { host: address.host, port: typeof bound === 'object' && bound !== null ? bound.port : address.port };
}
