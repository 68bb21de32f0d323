import type { LoadedConfig } from '../config/load.js';
import type { ReloadResult } from '../config/reload.js';
import type { ADMIN_OPEN_ENDPOINTS } from '../config/schema.js';
import type { Snapshot } from '../dns/snapshot.js';
import type { EventLog } from '../events/event-log.js';
import type { GeosteerMetrics } from '../metrics/create-metrics.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { StateStore } from '../state/state-store.js';
import type { ExplainTrace } from '../steering/explain.js';
import type { AdminToken } from './auth.js';

/** What the admin API needs of the running app (App implements it; admin does not import app.ts). */
export interface AdminTarget {
  readonly config: LoadedConfig;
  readonly state: StateStore;
  readonly events: EventLog;
  snapshot(): Snapshot;
  explain(name: string, client: string): ExplainTrace;
}

/** Readiness parts; /readyz answers 200 only when every one is true. */
export interface Readiness {
  readonly config: boolean;
  readonly geoip: boolean;
  readonly listeners: boolean;
}

/** Endpoints that config may open to callers without a token. */
export type OpenEndpoint = (typeof ADMIN_OPEN_ENDPOINTS)[number];

/** Everything buildAdmin wires into the routes. */
export interface AdminOptions {
  readonly app: AdminTarget;
  readonly tokens: readonly AdminToken[];
  /** Served without a token; the rest need a read token at least. */
  readonly openEndpoints?: readonly OpenEndpoint[];
  /** Serves GET /metrics when given. */
  readonly metrics?: GeosteerMetrics;
  /** Re-reads the config (the same function SIGHUP calls). */
  readonly reload: () => Promise<ReloadResult>;
  readonly ready: () => Readiness;
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

/** Lower case, no trailing dot: how names are stored in the model. */
export function normalName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
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
