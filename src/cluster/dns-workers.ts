import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { WorkerMetrics } from '../metrics/create-metrics.js';
import type { Logger } from '../shared/logger.js';
import type { WorkerSync } from './worker-sync.js';

/** The compiled worker entry point, next to this module. */
export const WORKER_ENTRY = fileURLToPath(new URL('./dns-worker-main.js', import.meta.url));

/** Restarts of crashed workers allowed per minute before the pool stops restarting them. */
const MAX_RESTARTS_PER_MINUTE = 10;

let metricsRequestId = 0;

/** One worker's query metrics, or undefined when it does not answer within `timeoutMs`. */
export function askWorkerMetrics(worker: Worker, timeoutMs: number): Promise<WorkerMetrics | undefined> {
  const id = ++metricsRequestId;
  return new Promise((resolve) => {
    const done = (value: WorkerMetrics | undefined) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve(value);
    };
    const onMessage = (m: unknown) => {
      const reply = m as { type?: string; id?: number; metrics?: WorkerMetrics } | null;
      if (reply?.type === 'geosteer:metrics' && reply.id === id) done(reply.metrics);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    worker.on('message', onMessage);
    worker.send({ type: 'geosteer:metrics-request', id });
  });
}

/** The primary's pool of DNS workers. */
export interface DnsWorkerPool {
  /** Every live worker's query metrics (a worker that does not answer in time is left out of this scrape). */
  collectMetrics(timeoutMs?: number): Promise<WorkerMetrics[]>;
  /** Resolves when every worker listens; rejects when one exits before that. */
  readonly ready: Promise<void>;
  readonly pids: () => number[];
  /** Stops every worker (SIGTERM) and waits for them to exit. */
  close(): Promise<void>;
}

/**
 * Forks `count` DNS workers (node:cluster: they share the listen sockets through the primary)
 * and connects each to `sync`. A crashed worker is replaced, at most 10 times a minute.
 */
export function startDnsWorkers(opts: { count: number; sync: WorkerSync; log: Logger; logLevel: string }): DnsWorkerPool {
  const { count, sync, log } = opts;
  cluster.setupPrimary({ exec: WORKER_ENTRY, execArgv: [] });
  const workers = new Set<Worker>();
  let stopping = false;
  const restarts: number[] = [];

  const fork = (): Promise<void> => {
    const worker = cluster.fork({ GEOSTEER_LOG_LEVEL: opts.logLevel });
    workers.add(worker);
    sync.add(worker);
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m) => (m as { type?: string } | null)?.type === 'geosteer:ready' && resolve());
      worker.once('exit', (code, signal) => reject(new Error(`DNS worker ${worker.process.pid} exited (${code ?? signal}) before it listened`)));
    });
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      sync.remove(worker);
      if (stopping) return;
      const now = Date.now();
      while (restarts.length > 0 && restarts[0] < now - 60_000) restarts.shift();
      if (restarts.length >= MAX_RESTARTS_PER_MINUTE) {
        log.error({ pid: worker.process.pid, code, signal }, 'DNS worker exited; too many restarts this minute, not replacing it');
        return;
      }
      restarts.push(now);
      log.error({ pid: worker.process.pid, code, signal }, 'DNS worker exited; starting a new one');
      fork().catch((err: Error) => log.error({ err }, 'replacement DNS worker failed'));
    });
    return ready;
  };

  const ready = Promise.all(Array.from({ length: count }, () => fork())).then(() => undefined);
  return {
    ready,
    pids: () => [...workers].map((w) => w.process.pid!),
    collectMetrics: (timeoutMs = 1000) => Promise.all([...workers].map((w) => askWorkerMetrics(w, timeoutMs))).then((all) => all.filter((m) => m !== undefined)),
    async close() {
      stopping = true;
      await Promise.all([...workers].map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : (w.once('exit', () => resolve()), w.kill('SIGTERM'))))));
    },
  };
}
