import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { startAlertListener, type AlertListener } from '../admin/alert-listener.js';
import { TlsReloader, type SecureContextTarget } from '../admin/admin-tls.js';
import { listenAdmin } from '../admin/listen-admin.js';
import type { LoadedConfig } from '../config/load.js';
import { ALERTMANAGER_MAX_BODY, parseListenAddress } from '../config/schema.js';
import type { AlertReceiver } from '../health/health-monitor.js';
import type { AlertPostObserver } from '../metrics/create-metrics.js';
import type { Logger } from '../shared/logger.js';
import type { Subsystem } from './subsystem.js';

/** Whether `host` only reaches this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * The admin HTTP(S) server (built already) as a part: listen at start, close at stop. With
 * admin.tls its certificate follows file changes and config reloads; without it, a listen
 * address beyond loopback is warned about, since tokens and reasons would cross the network
 * in clear text.
 */
export function adminServer(opts: { server: FastifyInstance; config: () => LoadedConfig; listen?: string; log: Logger; tlsPollMs?: number }): Subsystem & { address(): { host: string; port: number } | undefined } {
  let address: { host: string; port: number } | undefined;
  let tls: TlsReloader | undefined;
  return {
    name: 'admin',
    async start() {
      const admin = opts.config().config.admin!;
      const listen = opts.listen ?? admin.listen;
      address = await listenAdmin(opts.server, listen);
      if (admin.tls) {
        tls = new TlsReloader(opts.server.server as unknown as SecureContextTarget, admin.tls, opts.log, opts.tlsPollMs);
        tls.start();
      } else if (!isLoopbackHost(address.host)) {
        opts.log.warn({ listen: `${address.host}:${address.port}` }, `admin API listens on ${address.host}:${address.port} without TLS: bearer tokens and audit reasons cross the network in clear text; set admin.tls (cert_file, key_file), or listen on 127.0.0.1 and serve probes and metrics on admin.open_listen`);
      }
      opts.log.info({ listen: `${address.host}:${address.port}`, tls: admin.tls !== undefined, client_certificates: admin.tls?.client_ca_file !== undefined }, 'admin API listening');
    },
    async reload(next) {
      const nextTls = next.config.admin?.tls;
      if (tls && nextTls) tls.reload('config reload', nextTls);
    },
    async stop() {
      tls?.stop();
      tls = undefined;
      await opts.server.close();
    },
    address: () => address,
  };
}

/** The open listener (admin.open_listen: /healthz, /readyz, /metrics without a token), when configured. */
export function openAdminServer(opts: { server: FastifyInstance; config: () => LoadedConfig; listen?: string; log: Logger }): Subsystem & { address(): { host: string; port: number } | undefined } {
  let address: { host: string; port: number } | undefined;
  return {
    name: 'admin-open',
    async start() {
      const listen = opts.listen ?? opts.config().config.admin?.open_listen;
      if (listen === undefined) return;
      address = await listenAdmin(opts.server, listen, 'admin.open_listen');
      opts.log.info({ listen: `${address.host}:${address.port}` }, 'admin open endpoints (healthz, readyz, metrics) listening');
    },
    async stop() {
      await opts.server.close();
    },
    address: () => address,
  };
}

/** The standalone Alertmanager webhook listener (health.alertmanager.listen), when configured. */
export function alertListener(opts: { config: () => LoadedConfig; receiver: AlertReceiver; token: () => string | undefined; log: Logger; listen?: string; observer?: AlertPostObserver; now?: () => number }): Subsystem & { address(): { host: string; port: number } | undefined } {
  let listener: AlertListener | undefined;
  return {
    name: 'alertmanager-listener',
    async start() {
      const am = opts.config().config.health.alertmanager;
      const listen = opts.listen ?? am?.listen;
      if (listen === undefined) return;
      const route = { token: opts.token, receiver: opts.receiver, maxBody: am?.max_body ?? ALERTMANAGER_MAX_BODY, observer: opts.observer, log: opts.log, mount: 'listener' as const, now: opts.now };
      listener = await startAlertListener(parseListenAddress(listen)!, route, opts.log);
    },
    async stop() {
      await listener?.close();
      listener = undefined;
    },
    address: () => listener?.address,
  };
}
