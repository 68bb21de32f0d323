import type { Config } from '../config/schema.js';

/** A changed setting that a reload cannot apply; it takes effect at the next restart. */
export interface NeedsRestart {
  readonly path: string;
  readonly reason: string;
}

// Everything else in the config is applied by a reload without dropping a query: names,
// rules, regions, records, health checks, sources, sync, log level, TCP limits, RRL, the
// GeoIP database, admin tokens, open endpoints, client certificates and the admin TLS files.
// These need sockets or processes replaced.
const RESTART_ONLY: readonly { path: string; of: (c: Config) => unknown; reason: string }[] = [
  { path: 'dns.listen', of: (c) => c.dns.listen, reason: 'the DNS sockets are bound at start' },
  { path: 'dns.workers', of: (c) => c.dns.workers, reason: 'DNS worker processes are forked at start' },
  { path: 'admin.listen', of: (c) => c.admin?.listen, reason: 'the admin server is bound at start' },
  { path: 'admin.tls', of: (c) => [c.admin?.tls !== undefined, c.admin?.tls?.client_ca_file !== undefined], reason: 'the admin server is made HTTP or HTTPS, asking for client certificates or not, at start (its certificate files reload)' },
  { path: 'admin.open_listen', of: (c) => c.admin?.open_listen, reason: 'the open listener is bound at start' },
  { path: 'admin.trusted_proxies', of: (c) => c.admin?.trusted_proxies, reason: 'the admin server is built with its trusted proxies at start' },
  { path: 'health.alertmanager.max_body', of: (c) => c.health.alertmanager?.max_body, reason: 'the webhook routes are built with their body limit at start' },
  { path: 'state', of: (c) => c.state, reason: 'the state store connection is opened at start' },
  { path: 'health.alertmanager.listen', of: (c) => c.health.alertmanager?.listen, reason: 'the webhook listener is bound at start' },
];

/** The restart-only settings that differ between two configs, by config path. */
export function settingsNeedingRestart(before: Config, after: Config): NeedsRestart[] {
  return RESTART_ONLY.filter((s) => JSON.stringify(s.of(before)) !== JSON.stringify(s.of(after))).map(({ path, reason }) => ({ path, reason }));
}

/** True when the section `of` picks differs between two configs (a part restarts its work). */
export function sectionChanged(before: Config, after: Config, of: (c: Config) => unknown): boolean {
  return JSON.stringify(of(before)) !== JSON.stringify(of(after));
}
