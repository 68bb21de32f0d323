import type { Logger } from '../shared/logger.js';
import { QuorumHealthView } from './health-quorum.js';
import type { StateStore } from '../state/state-store.js';

/** What a HealthPublisher needs. */
export interface HealthPublisherOptions {
  readonly store: StateStore;
  /** This instance's id (state.instance_id). */
  readonly instance: string;
  /** This instance's own observations now, target id -> seen up (see targetsFromHealthView). */
  readonly localTargets: () => Readonly<Record<string, boolean>>;
  /** Called with the consensus whenever it changes (wire to app.setHealth). */
  readonly onView: (view: QuorumHealthView) => void;
  readonly heartbeatMs: number;
  /** Observation TTL; an instance silent this long drops out of the quorum. */
  readonly ttlMs: number;
  /** Down votes needed; default a majority of the live instances. */
  readonly quorum?: number;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * Shares this instance's health observations through the state store (on every local change
 * and on a heartbeat) and turns everyone's observations into the quorum HealthView. When the
 * store is unreachable, publishing fails quietly, others' observations expire, and the view
 * falls back to this instance's own checks.
 */
export class HealthPublisher {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastKey: string | undefined;
  private view: QuorumHealthView | undefined;
  private publishing = false;
  private publishFailures = 0;

  constructor(private readonly options: HealthPublisherOptions) {}

  /** Publishes at once, then every heartbeat; recomputes the consensus on every store change. */
  start(): void {
    if (this.timer) return;
    this.unsubscribe = this.options.store.onChange(() => this.recompute());
    this.timer = setInterval(() => this.tick(), this.options.heartbeatMs);
    this.timer.unref();
    this.tick();
  }

  /** The health monitor calls this after a local transition: publish now, recompute now. */
  localChanged(): Promise<void> {
    this.recompute();
    return this.publish();
  }

  /** The current consensus (computed on first use). */
  current(): QuorumHealthView {
    return this.view ?? this.recompute();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private tick(): void {
    this.recompute();
    void this.publish();
  }

  private async publish(): Promise<void> {
    // one publish in flight at a time: a slow Redis must not pile up heartbeats
    if (this.publishing) return;
    this.publishing = true;
    const { store, instance, ttlMs, log } = this.options;
    try {
      await store.publishObservations({ instance, at: (this.options.now ?? Date.now)(), targets: this.options.localTargets() }, ttlMs);
      if (this.publishFailures > 0) log.info({ failures: this.publishFailures }, 'health: observations shared again');
      this.publishFailures = 0;
    } catch (err) {
      if (this.publishFailures++ === 0) log.warn({ err: (err as Error).message }, 'health: cannot share observations; deciding from this instance\'s own checks as the others expire');
    } finally {
      this.publishing = false;
    }
  }

  private recompute(): QuorumHealthView {
    const { store, instance, quorum } = this.options;
    const view = new QuorumHealthView({ self: instance, local: this.options.localTargets(), observations: store.current().observations, quorum });
    this.view = view;
    // hand over a new view only when some instance's opinion or the live set changed, not on
    // every heartbeat (each hand-over rebuilds the DNS snapshot)
    const key = `${view.quorum}|${view.opinionKey()}`;
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.options.onView(view);
    }
    return view;
  }
}
