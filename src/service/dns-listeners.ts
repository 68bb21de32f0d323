import type { LoadedConfig } from '../config/load.js';
import { DnsServer, type BoundAddress, type UdpBackend } from '../dns/dns-server.js';
import { listenAddressesOf, tcpLimitsOf } from '../dns/listen-settings.js';
import type { MessageHandler } from '../dns/query-handler.js';
import type { Logger } from '../shared/logger.js';
import type { Subsystem } from './subsystem.js';

/** DNS answered in this process: UDP and TCP listeners on dns.listen (or `override`). */
export interface DnsListeners extends Subsystem {
  /** The addresses bound by start(), with the ports actually bound. */
  bound(): readonly BoundAddress[];
  /** Queries whose handling threw since start (a bug if ever above 0; each was dropped). */
  failures(): number;
  /** The UDP path of each bound address. */
  udpBackends(): readonly (BoundAddress & UdpBackend)[];
}

/** Listeners answering through `handler`; `shared` lets DNS workers share the primary's sockets. */
export function dnsListeners(opts: { config: () => LoadedConfig; handler: MessageHandler; log: Logger; env: NodeJS.ProcessEnv; override?: readonly { host: string; port: number }[] }): DnsListeners {
  let server: DnsServer | undefined;
  let bound: BoundAddress[] = [];
  return {
    name: 'dns',
    async start() {
      const loaded = opts.config();
      server = new DnsServer(opts.handler, opts.log, tcpLimitsOf(loaded), {}, opts.env);
      try {
        bound = await server.listen(opts.override ?? listenAddressesOf(loaded));
      } catch (err) {
        await server.close();
        server = undefined;
        throw err;
      }
    },
    async stop() {
      await server?.close();
      server = undefined;
    },
    async reload(next) {
      server?.setTcpLimits(tcpLimitsOf(next));
    },
    bound: () => bound,
    udpBackends: () => server?.udpBackends() ?? [],
    failures: () => server?.failures ?? 0,
  };
}
