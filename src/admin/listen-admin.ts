import type { FastifyInstance } from 'fastify';
import { parseListenAddress } from '../config/schema.js';
import { GeosteerError } from '../shared/errors.js';

/** Listens on `listen` ("host:port", port 0 picks one; `field` names it in errors); resolves with the bound address. */
export async function listenAdmin(server: FastifyInstance, listen: string, field = 'admin.listen'): Promise<{ host: string; port: number }> {
  const address = parseListenAddress(listen);
  if (!address) throw new GeosteerError('LISTEN_FAILED', `${field}: expected host:port, got ${JSON.stringify(listen)}`);
  try {
    await server.listen({ host: address.host, port: address.port });
  } catch (err) {
    throw new GeosteerError('LISTEN_FAILED', `${field}: cannot listen on ${listen}: ${(err as Error).message}`, { cause: err });
  }
  const bound = server.server.address();
  return { host: address.host, port: typeof bound === 'object' && bound !== null ? bound.port : address.port };
}
