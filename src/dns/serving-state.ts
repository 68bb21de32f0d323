import type { ClientLocator } from '../geo/client-locator.js';
import type { AnswerTable } from './answer-table.js';
import type { ResponseRateLimiter } from './rate-limiter.js';
import type { ServerIdentity } from './server-identity.js';

/**
 * Everything one query reads, swapped as one reference when the control plane compiles a new
 * snapshot: the answers, the geo lookup (a new GeoIP database comes with its own cache), the
 * response limits of the config in force, and what the server answers as itself (NSID,
 * CHAOS, cookies).
 */
export interface ServingState extends ServerIdentity {
  readonly table: AnswerTable;
  readonly locator: ClientLocator;
  /** Largest UDP response we send, whatever the client offers (dns.max_udp_payload). */
  readonly maxUdpPayload: number;
  /** dns.ecs.private is source_address: a private, loopback, link-local, CGNAT or unique-local ECS address is located by the resolver's address. */
  readonly ecsPrivateToSource: boolean;
  /** dns.ecs.scope_beyond_source. */
  readonly ecsScopeBeyondSource: boolean;
  /** dns.rrl when enabled; its counts carry over compiles that keep its settings. */
  readonly limiter: ResponseRateLimiter | undefined;
}
