import type { LoadedConfig } from '../config/load.js';
import { parseListenAddress } from '../config/schema.js';
import type { TcpLimits } from './tcp-listener.js';

/** The TCP limits of a config (dns.tcp). */
export function tcpLimitsOf(loaded: LoadedConfig): TcpLimits {
  const { tcp } = loaded.config.dns;
  return { maxConnections: tcp.max_connections, idleTimeoutMs: tcp.idle_timeout, maxQueriesPerConnection: tcp.max_queries_per_connection };
}

/** The addresses of dns.listen. */
export function listenAddressesOf(loaded: LoadedConfig): { host: string; port: number }[] {
  return loaded.config.dns.listen.map((a) => parseListenAddress(a)!);
}
