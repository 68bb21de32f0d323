import { createLogger } from '../shared/logger.js';
import { DnsWorker } from './dns-worker.js';
import { isWorkerUpdate, type WorkerApplied, type WorkerUpdate } from './worker-update.js';

// Entry point of a cluster worker (cluster.setupPrimary({exec}) points here). It waits for
// the primary's first update, serves DNS, and follows later updates, answering each with what
// it applied. When the primary goes away the IPC channel closes and the worker stops.

const log = createLogger(process.env.GEOSTEER_LOG_LEVEL ?? 'info');
let worker: DnsWorker | undefined;
let chain: Promise<void> = Promise.resolve();

function onUpdate(update: WorkerUpdate): void {
  chain = chain.then(async () => {
    let generation: number;
    if (worker === undefined) {
      worker = DnsWorker.start(update, log);
      await worker.listen();
      generation = update.geoip.generation;
      process.send?.({ type: 'geosteer:ready', pid: process.pid });
    } else generation = await worker.apply(update);
    const applied: WorkerApplied = { type: 'geosteer:applied', seq: update.seq, geoipGeneration: generation, compiles: worker.control.compiles };
    process.send?.(applied);
  });
  chain.catch((err) => {
    log.fatal({ err }, 'worker: cannot serve');
    process.disconnect?.();
    process.exitCode = 1;
  });
}

process.on('message', (m) => {
  if (isWorkerUpdate(m)) onUpdate(m);
  const request = m as { type?: string; id?: number } | null;
  if (request?.type === 'geosteer:metrics-request' && worker !== undefined) {
    void worker.queryMetrics().then((metrics) => process.send?.({ type: 'geosteer:metrics', id: request.id, metrics }));
  }
});
// only now can the primary's updates be received
process.send?.({ type: 'geosteer:hello', pid: process.pid });
process.on('disconnect', () => {
  void (worker?.close() ?? Promise.resolve());
});
// the primary stops workers with SIGTERM: stop listening, let TCP finish, then let the loop drain
process.on('SIGTERM', () => {
  void (worker?.close() ?? Promise.resolve()).then(() => process.disconnect?.());
});
