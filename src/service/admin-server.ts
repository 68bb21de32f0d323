import type { FastifyInstance } from 'fastify';
import { startAlertListener, type AlertListener } from '../admin/alert-listener.js';
import { listenAdmin } from '../admin/listen-admin.js';
import type { LoadedConfig } from '../config/load.js';
import { parseListenAddress } from '../config/schema.js';
import type { AlertReceiver } from '../health/health-monitor.js';
import type { Logger } from '../shared/logger.js';
import type { Subsystem } from './subsystem.js';

/** The admin HTTP server (built already) as a part: listen at start, close at stop. */
export function adminServer(opts: { server: FastifyInstance; config: () => LoadedConfig; listen?: string; log: Logger }): Subsystem & { address(): { host: string; port: number } | undefined } {
  let address: { host: string; port: number } | undefined;
  return {
    name: 'admin',
    async start() {
      const listen = opts.listen ?? opts.config().config.admin!.listen;
      address = await listenAdmin(opts.server, listen);
      opts.log.info({ listen: `${address.host}:${address.port}` }, 'admin API listening');
    },
    async stop() {
      await opts.server.close();
    },
    address: () => address,
  };
}

/** The standalone Alertmanager webhook listener (health.alertmanager.listen), when configured. */
export function alertListener(opts: { config: () => LoadedConfig; receiver: AlertReceiver; token: () => string | undefined; log: Logger; listen?: string }): Subsystem & { address(): { host: string; port: number } | undefined } {
  let listener: AlertListener | undefined;
  return {
    name: 'alertmanager-listener',
    async start() {
      const listen = opts.listen ?? opts.config().config.health.alertmanager?.listen;
      if (listen === undefined) return;
      listener = await startAlertListener(parseListenAddress(listen)!, { token: opts.token, receiver: opts.receiver }, opts.log);
    },
    async stop() {
      await listener?.close();
      listener = undefined;
    },
    address: () => listener?.address,
  };
}
