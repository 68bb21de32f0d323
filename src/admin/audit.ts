import type { EventLog } from '../events/event-log.js';

/** One operator change as the audit log keeps it. */
export interface AuditEntry {
  /** What was done, e.g. "set weight", "drain", "undrain", "reload". */
  readonly action: string;
  /** Token name of the caller. */
  readonly token: string;
  readonly region?: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly reason: string;
}

/** Records an audit event (type 'audit', detail {token, action, before, after, reason}). */
export function audit(events: EventLog, entry: AuditEntry): void {
  const where = entry.region ? ` ${entry.region}` : '';
  events.record({
    type: 'audit',
    cause: `${entry.token}: ${entry.action}${where}: ${JSON.stringify(entry.before)} -> ${JSON.stringify(entry.after)}${entry.reason ? ` (${entry.reason})` : ''}`,
    region: entry.region,
    detail: { token: entry.token, action: entry.action, before: entry.before, after: entry.after, reason: entry.reason },
  });
}
