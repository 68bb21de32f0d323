import type { ADMIN_OPEN_ENDPOINTS } from '../config/schema.js';
import type { Explanation } from '../control/explain.js';
import type { Snapshot } from '../control/snapshot.js';
import type { EventLog } from '../events/event-log.js';
import type { GeosteerMetrics } from '../metrics/create-metrics.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { StateStore, StateStoreStatus, StoreHealth } from '../state/state-store.js';
import type { ExplainType } from '../steering/explain.js';
import type { AlertReceiver } from '../health/health-monitor.js';
import type { AdminIdentity, AdminToken } from './auth.js';
import type { ClientCertificateRule } from './client-certificates.js';
import type { AlertPostObserver } from '../metrics/create-metrics.js';
import type { SyncReportSource } from './sync-route.js';

/** What the admin API needs of the running service (the service implements it; admin does not import it). */
export interface AdminTarget {
  /** The snapshot answers come from now. */
  current(): Snapshot;
  /** Resolves once every input change made so far is in the current snapshot. */
  settled(): Promise<Snapshot>;
  readonly state: StateStore & StoreHealth;
  readonly events: EventLog;
  explain(name: string, client: string, type: ExplainType): Explanation;
}

/** Readiness parts; /readyz answers 200 only when `ready` is. */
export interface Readiness {
  readonly ready: boolean;
  readonly config: boolean;
  readonly geoip: boolean;
  readonly listeners: boolean;
  /** Generation of the GeoIP database in use (DNS workers: each one's). */
  readonly geoip_generation: number;
  /** The state store's health (stateReadiness). */
  readonly state: StateReadiness;
  readonly [part: string]: unknown;
}

/** How /readyz shows the state store; `gate` makes it part of `ready`. */
export interface StateReadiness {
  readonly kind: string;
  /** state.readiness: report (shown, never fails readiness) or gate (not ready while not writable). */
  readonly readiness: 'report' | 'gate';
  readonly connected: boolean;
  readonly writable: boolean;
  readonly since: number;
  readonly last_sync_at: number | null;
  readonly reconnects: number;
  readonly last_error: { readonly message: string; readonly at: number } | null;
  readonly reset: { readonly reason: string; readonly cause: string; readonly detected_at: number; readonly kept: { readonly weights: number; readonly drains: number } } | null;
}

/** The state store's part of /readyz, and whether it lets the instance be ready. */
export function stateReadiness(status: StateStoreStatus, mode: 'report' | 'gate'): { view: StateReadiness; ready: boolean } {
  const view: StateReadiness = {
    kind: status.kind,
    readiness: mode,
    connected: status.connected,
    writable: status.writable,
    since: status.since,
    last_sync_at: status.lastSyncAt ?? null,
    reconnects: status.reconnects,
    last_error: status.lastError ?? null,
    reset: status.reset ? { reason: status.reset.reason, cause: status.reset.cause, detected_at: status.reset.detectedAt, kept: status.reset.kept } : null,
  };
  // report: a DNS server keeps answering from its last state while Redis is away, so it stays in its load balancer.
  return { view, ready: mode === 'report' || status.writable };
}

/** What a reload did, as POST /v1/reload reports it. */
export type AdminReloadResult =
  | { readonly ok: true; readonly source: string; readonly generation: number; readonly needsRestart: readonly { readonly path: string; readonly reason: string }[] }
  | { readonly ok: false; readonly source: string; readonly problems: readonly string[] };

/** Endpoints that config may open to callers without a token. */
export type OpenEndpoint = (typeof ADMIN_OPEN_ENDPOINTS)[number];

/** Everything buildAdmin wires into the routes. */
export interface AdminOptions {
  readonly app: AdminTarget;
  /** The usable tokens now (read per request: a reload replaces them). */
  readonly tokens: () => readonly AdminToken[];
  /** Served without a token now; the rest need a read token at least. */
  readonly openEndpoints: () => readonly OpenEndpoint[];
  /** Verified client certificates that act as identities now (admin.tls.client_certificates). */
  readonly clientCertificates?: () => readonly ClientCertificateRule[];
  /** admin.trusted_proxies: X-Forwarded-For from these gives the client address of audit entries. */
  readonly trustedProxies?: readonly string[];
  /** HTTPS: the key and certificate (PEM) and, for client certificates, the CA to verify them against. */
  readonly https?: { readonly key: Buffer; readonly cert: Buffer; readonly ca?: Buffer };
  /** Serves GET /metrics when given. */
  readonly metrics?: GeosteerMetrics;
  /** Re-reads the config (the same function SIGHUP calls). */
  readonly reload: () => Promise<AdminReloadResult>;
  readonly ready: () => Readiness;
  /** GET /v1/sync reads it (undefined: sync not configured). */
  readonly sync?: () => SyncReportSource | undefined;
  /** Where Alertmanager posts go, the token they must carry (undefined: webhook off), the largest body, and who counts refusals. */
  readonly alerts?: { readonly receiver: AlertReceiver; readonly token: () => string | undefined; readonly maxBody: number; readonly observer?: AlertPostObserver };
  readonly log: Logger;
  /** Clock for drain timestamps; a parameter for tests. */
  readonly now?: () => number;
}

/** Who may call a route: a token scope, or an endpoint that config may open. */
export type Access = 'read' | 'write' | OpenEndpoint;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** Who the caller is (token or client certificate), set by the auth hook (null on open endpoints). */
    adminToken: AdminIdentity | null;
  }
}

/** The region or a NOT_FOUND error naming the known ones. */
export function requireRegion(snapshot: Snapshot, region: string): string {
  if (snapshot.model.regions.has(region)) return region;
  throw new GeosteerError('NOT_FOUND', `region ${JSON.stringify(region)} is not configured; known regions: ${[...snapshot.model.regions.keys()].join(', ')}`);
}

/** A GeosteerError with structured detail added to the error body. */
export class DetailedError extends GeosteerError {
  constructor(
    code: GeosteerError['code'],
    message: string,
    readonly detail: Record<string, unknown>,
  ) {
    super(code, message);
  }
}
