import type { FastifyRequest } from 'fastify';
import type { EventLog } from '../events/event-log.js';
import type { AdminIdentity } from './auth.js';

/** Who made a change and from where. */
export interface Actor {
  /** Token or client-certificate name. */
  readonly name: string;
  readonly via: AdminIdentity['via'];
  /** The client's address: the connection's peer, or X-Forwarded-For's when the peer is an admin.trusted_proxies proxy. */
  readonly from: string;
  /** The connection's peer when it differs from `from` (a trusted proxy). */
  readonly proxy?: string;
}

/** One operator change as the audit log keeps it. */
export interface AuditEntry {
  /** What was done, e.g. "set weight", "drain", "undrain", "reload", "state reset". */
  readonly action: string;
  readonly actor: Actor;
  readonly region?: string;
  readonly before: unknown;
  readonly after: unknown;
  /** Whether the caller sent force: true (past the strand check). */
  readonly force: boolean;
  readonly reason: string;
}

/** The actor of an authenticated request (the auth hook has set its identity). */
export function actorOf(req: FastifyRequest): Actor {
  const identity = req.adminToken!;
  // req.ip honours X-Forwarded-For only from admin.trusted_proxies (Fastify's trustProxy).
  const peer = req.socket.remoteAddress ?? 'unknown';
  return { name: identity.name, via: identity.via, from: req.ip, ...(req.ip !== peer ? { proxy: peer } : {}) };
}

/**
 * Records an audit event (type 'audit', detail {token, via, from, action, before, after,
 * force, reason}; `at` says when) and waits, bounded, until the log's backing has it, so a
 * read of /v1/events after the answer finds it.
 */
export async function audit(events: EventLog, entry: AuditEntry): Promise<void> {
  const { actor } = entry;
  const where = entry.region ? ` ${entry.region}` : '';
  events.record({
    type: 'audit',
    cause: `${actor.name} from ${actor.from}: ${entry.action}${where}: ${JSON.stringify(entry.before)} -> ${JSON.stringify(entry.after)}${entry.force ? ' (forced)' : ''} (${entry.reason})`,
    region: entry.region,
    detail: { token: actor.name, via: actor.via, from: actor.from, ...(actor.proxy ? { proxy: actor.proxy } : {}), action: entry.action, before: entry.before, after: entry.after, force: entry.force, reason: entry.reason },
  });
  await events.flush();
}
