import type { NewEvent } from '../events/event-log.js';
import type { Logger } from '../shared/logger.js';
import type { ResetDecision, SharedState, StoreReset } from './state-store.js';
import { judgeEpoch, parseEpoch } from './store-epoch.js';
import type { StatusBook } from './store-status.js';

/** Where the store records what an operator must see (the app's EventLog). */
export interface EventRecorder {
  record(event: NewEvent): unknown;
}

/** What an EpochWatch reports to and reads from. */
export interface EpochWatchOptions {
  readonly now: () => number;
  readonly log: Logger;
  readonly events: EventRecorder | undefined;
  readonly book: StatusBook;
  /** The marker's key and the Redis description, for messages. */
  readonly epochKey: string;
  readonly redis: string;
  readonly instanceId: string;
  /** The overrides in effect, named in the loss report. */
  readonly current: () => SharedState;
}

/** What a full read's overrides should do to the local copy: merge by version, replace it, or leave it (a loss is pending). */
export type OverrideAction = 'merge' | 'wholesale' | 'keep';

/**
 * Which data generation (epoch marker) this instance follows, and the pending reset when
 * Redis lost its data: judges every full read, reports a loss once (error log, event,
 * status), and clears it when an operator decides (here or on another instance) or the
 * marker comes back.
 */
export class EpochWatch {
  /** The marker text this instance follows, and its id. */
  private knownText: string | undefined;
  private knownId: string | undefined;
  private pending: StoreReset | undefined;
  /** The marker text found when the loss was detected (null: none): what the confirm script expects. */
  private foundText: string | null = null;
  /** After a confirm on this instance, the next full read replaces every local override. */
  private adoptNext = false;
  /** The marker confirmReset is writing: its own change message must not read as another instance's decision. */
  private confirming: string | undefined;

  constructor(private readonly o: EpochWatchOptions) {}

  get text(): string | undefined {
    return this.knownText;
  }

  get id(): string | undefined {
    return this.knownId;
  }

  get reset(): StoreReset | undefined {
    return this.pending;
  }

  get found(): string | null {
    return this.foundText;
  }

  /** Judges one full read (`found` marker, `counter`); `create` writes the first marker when there is none. */
  async judge(found: string | null, counter: number, maxSeen: number, create: () => Promise<string>): Promise<OverrideAction> {
    const verdict = judgeEpoch(this.knownText, found, counter, maxSeen, this.o.epochKey);
    switch (verdict.kind) {
      case 'first':
        this.follow(found ?? (await create()));
        return 'wholesale';
      case 'same':
        if (this.pending?.reason === 'counter_behind') return 'keep';
        if (this.pending) {
          this.o.log.warn({ epoch: this.knownId }, 'state store: Redis holds this instance\'s data generation again; the reset needs no decision');
          this.pending = undefined;
          this.resolved('data_returned', this.o.instanceId, 'the epoch marker this instance knew is back');
          return 'merge';
        }
        if (this.adoptNext) {
          this.adoptNext = false;
          return 'wholesale';
        }
        return 'merge';
      case 'confirmed': {
        this.follow(found!);
        const hadReset = this.pending !== undefined;
        this.pending = undefined;
        if (found === this.confirming) return 'wholesale'; // our own, read before confirmReset saw the reply
        const { record, decision } = verdict;
        this.o.log.warn({ epoch: record.id, decision, by: record.by }, 'state store: an operator confirmed a Redis reset on another instance; adopting what Redis holds now');
        this.resolved(decision, record.by, hadReset ? 'confirmed on another instance' : 'another instance confirmed a reset this one did not see');
        return 'wholesale';
      }
      case 'lost':
        this.foundText = found;
        if (!this.pending) this.detected(verdict.reason, verdict.cause, found);
        else if (this.pending.foundEpoch !== parseEpoch(found)?.id) {
          this.pending = { ...this.pending, foundEpoch: parseEpoch(found)?.id };
          this.o.book.changed();
        }
        return 'keep';
    }
  }

  /** confirmReset is about to write `text` (undefined: done). */
  confirmingAs(text: string | undefined): void {
    this.confirming = text;
  }

  /** confirmReset wrote `text`: follow it, clear the reset, and adopt Redis wholesale on the next read. */
  confirmed(text: string, decision: ResetDecision, by: string): void {
    this.follow(text);
    this.pending = undefined;
    this.adoptNext = true;
    this.resolved(decision, by, 'confirmed on this instance');
  }

  private follow(text: string): void {
    this.knownText = text;
    this.knownId = parseEpoch(text)?.id ?? text;
    this.o.book.changed();
  }

  private detected(reason: StoreReset['reason'], cause: string, found: string | null): void {
    const state = this.o.current();
    const weights = Object.fromEntries(state.weights);
    const drains = [...state.drains.keys()];
    const reset: StoreReset = { reason, cause, detectedAt: this.o.now(), previousEpoch: this.knownId, foundEpoch: parseEpoch(found)?.id, kept: { weights: state.weights.size, drains: drains.length } };
    this.pending = reset;
    const full = `${cause}; keeping this instance's last known overrides in effect (weights ${JSON.stringify(weights)}, drains ${JSON.stringify(drains)}) and refusing changes until an operator confirms: republish them, or adopt what Redis holds`;
    this.o.log.error({ redis: this.o.redis, reason, previousEpoch: reset.previousEpoch, foundEpoch: reset.foundEpoch, weights, drains }, `state store: ${full}`);
    this.o.events?.record({ type: 'state_store_reset', cause: full, detail: { reason, previousEpoch: reset.previousEpoch, foundEpoch: reset.foundEpoch, keptWeights: weights, keptDrains: drains } });
    this.o.book.resetDetected();
  }

  private resolved(resolution: ResetDecision | 'data_returned', by: string, how: string): void {
    const cause = resolution === 'data_returned' ? `Redis reset cleared: ${how}` : `Redis reset resolved (${resolution}, by ${by}): ${how}`;
    this.o.events?.record({ type: 'state_store_reset_resolved', cause, detail: { resolution, by, epoch: this.knownId } });
    this.o.book.changed();
  }
}
