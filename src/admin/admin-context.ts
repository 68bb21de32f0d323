import type { ADMIN_OPEN_ENDPOINTS } from '../config/schema.js';
import type { Explanation } from '../control/explain.js';
import type { Snapshot } from '../control/snapshot.js';
import type { EventLog } from '../events/event-log.js';
import type { GeosteerMetrics } from '../metrics/create-metrics.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { StateStore } from '../state/state-store.js';
import type { ExplainType } from '../steering/explain.js';
import type { AlertReceiver } from '../health/health-monitor.js';
import type { AdminToken } from './auth.js';
import type { SyncReportSource } from './sync-route.js';

/** What the admin API needs of the running service (the service implements it; admin does not import it). */
export interface AdminTarget {
  /** The snapshot answers come from now. */
  current(): Snapshot;
  /** Resolves once every input change made so far is in the current snapshot. */
  settled(): Promise<Snapshot>;
  readonly state: StateStore;
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
  readonly [part: string]: unknown;
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
  /** Serves GET /metrics when given. */
  readonly metrics?: GeosteerMetrics;
  /** Re-reads the config (the same function SIGHUP calls). */
  readonly reload: () => Promise<AdminReloadResult>;
  readonly ready: () => Readiness;
  /** GET /v1/sync reads it (undefined: sync not configured). */
  readonly sync?: () => SyncReportSource | undefined;
  /** Where Alertmanager posts go, and the token they must carry (undefined: webhook off). */
  readonly alerts?: { readonly receiver: AlertReceiver; readonly token: () => string | undefined };
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
    /** The caller's token, set by the auth hook (null on open endpoints). */
    adminToken: AdminToken | null;
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
