import type { Histogram } from 'prom-client';
import type { ClientAddressBytes, MessageHandler, Transport } from '../dns/query-handler.js';

/**
 * How often a query is timed by default. 1 in 64: a timed query pays two hrtime reads and
 * prom-client's observe() (which hashes its labels); at 1 in 16 that was still about 1% of
 * the server's CPU under load, and at 100 queries/s 1 in 64 still gives a sample a second.
 */
export const DEFAULT_TIMING_SAMPLE = 64;

/**
 * A handler that times 1 in `every` calls of `handler.handle()` (decode to response bytes;
 * the socket write is not included) into `histogram`, composed around it when the DNS
 * listeners are built. Untimed calls pay one decrement and one branch. Sampling keeps the
 * distribution honest because the choice does not depend on the query.
 */
export function timedHandler(handler: MessageHandler, histogram: Histogram<'transport'>, every = DEFAULT_TIMING_SAMPLE): MessageHandler {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`timedHandler: every must be an integer >= 1, got ${every}`);
  const udp = histogram.labels({ transport: 'udp' });
  const tcp = histogram.labels({ transport: 'tcp' });
  let countdown = every;
  return {
    handle(msg: Buffer, transport: Transport, remoteAddress: string): Buffer | undefined {
      if (--countdown > 0) return handler.handle(msg, transport, remoteAddress);
      countdown = every;
      const start = process.hrtime.bigint();
      try {
        return handler.handle(msg, transport, remoteAddress);
      } finally {
        (transport === 'udp' ? udp : tcp).observe(Number(process.hrtime.bigint() - start) / 1e9);
      }
    },
    // the native batch path is UDP only
    handleInto(msg: Buffer, length: number, client: ClientAddressBytes, out: Buffer): number {
      if (--countdown > 0) return handler.handleInto(msg, length, client, out);
      countdown = every;
      const start = process.hrtime.bigint();
      try {
        return handler.handleInto(msg, length, client, out);
      } finally {
        udp.observe(Number(process.hrtime.bigint() - start) / 1e9);
      }
    },
  };
}
