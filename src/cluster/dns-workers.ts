import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { ControlPlane } from '../control/control-plane.js';
import type { WorkerMetrics } from '../metrics/create-metrics.js';
import type { Logger } from '../shared/logger.js';
import type { WorkerApplied } from './worker-update.js';
import { WorkerSync } from './worker-sync.js';

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

/** What one worker last reported. */
export interface WorkerStatus {
  readonly pid: number;
  /** The last update it applied (0: none yet). */
  readonly seq: number;
  readonly geoipGeneration: number;
  readonly compiles: number;
}

/** The primary's pool of DNS workers, as a part of the service. */
export interface DnsWorkerPool {
  readonly name: string;
  /** Forks the workers; resolves when every one listens, rejects when one exits before that. */
  start(): Promise<void>;
  /** Stops every worker (SIGTERM: each closes its sockets and finishes TCP queries) and waits for them to exit. */
  stop(): Promise<void>;
  /** Every live worker's query metrics (a worker that does not answer in time is left out of this scrape). */
  collectMetrics(timeoutMs?: number): Promise<WorkerMetrics[]>;
  pids(): number[];
  status(): WorkerStatus[];
}

/**
 * `count` DNS workers (node:cluster: they share the listen sockets through the primary), each
 * fed by one WorkerSync from the control plane. A crashed worker is replaced, at most 10 times
 * a minute. Workers apply the config that comes with their updates: a reload reaches them
 * with the next compile.
 */
export function dnsWorkerPool(opts: { count: number; control: ControlPlane; log: Logger; logLevel: () => string; entry?: string; silent?: boolean }): DnsWorkerPool {
  const { count, log } = opts;
  const workers = new Map<Worker, Omit<WorkerStatus, 'pid'>>();
  const restarts: number[] = [];
  let sync: WorkerSync | undefined;
  let stopping = false;

  const fork = (): Promise<void> => {
    const worker = cluster.fork({ GEOSTEER_LOG_LEVEL: opts.logLevel() });
    workers.set(worker, { seq: 0, geoipGeneration: 0, compiles: 0 });
    sync!.add(worker);
    worker.on('message', (m: unknown) => {
      const applied = m as WorkerApplied | null;
      if (applied?.type === 'geosteer:applied') workers.set(worker, { seq: applied.seq, geoipGeneration: applied.geoipGeneration, compiles: applied.compiles });
    });
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m) => (m as { type?: string } | null)?.type === 'geosteer:ready' && resolve());
      worker.once('exit', (code, signal) => reject(new Error(`DNS worker ${worker.process.pid} exited (${code ?? signal}) before it listened`)));
    });
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      sync?.remove(worker);
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

  return {
    name: 'dns-workers',
    async start() {
      stopping = false;
      // advanced serialization: updates carry Maps and the GeoIP bytes as they are
      cluster.setupPrimary({ exec: opts.entry ?? WORKER_ENTRY, execArgv: [], serialization: 'advanced', silent: opts.silent });
      sync = new WorkerSync(opts.control);
      try {
        await Promise.all(Array.from({ length: count }, () => fork()));
      } catch (err) {
        await this.stop();
        throw err;
      }
    },
    async stop() {
      stopping = true;
      sync?.close();
      sync = undefined;
      await Promise.all([...workers.keys()].map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : (w.once('exit', () => resolve()), w.kill('SIGTERM'))))));
    },
    pids: () => [...workers.keys()].map((w) => w.process.pid!),
    status: () => [...workers].map(([w, s]) => ({ pid: w.process.pid!, ...s })),
    collectMetrics: (timeoutMs = 1000) => Promise.all([...workers.keys()].map((w) => askWorkerMetrics(w, timeoutMs))).then((all) => all.filter((m) => m !== undefined)),
  };
}
