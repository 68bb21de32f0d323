// One writer per owner_id: instances of one deployment see drains and health changes at
// slightly different moments, and each writing its own view made the failover record flip.
// The lease says who may write; the others stand by and retry when it would expire. The
// in-memory lease serves one process (several reconcilers in it, e.g. in tests); with
// `state.store: redis` the Redis lease (src/state/redis-sync-coordination.ts) spans instances.

/** Who holds the lease, as seen by one holder. */
export interface LeaseState {
  /** True when the asking holder has it (and it was just renewed). */
  readonly held: boolean;
  readonly holder: string | undefined;
  /** Epoch ms when the current holder's lease runs out. */
  readonly expiresAt: number | undefined;
}

/** The writer lease of one owner id. */
export interface WriterLease {
  /** Takes the lease for `holder`, or renews it when `holder` has it; tells who holds it. */
  acquire(holder: string, ttlMs: number): Promise<LeaseState>;
  /** Gives it up if `holder` has it, so another instance can take over at once. */
  release(holder: string): Promise<void>;
}

/** A lease in this process. */
export class MemoryWriterLease implements WriterLease {
  private holder: string | undefined;
  private expiresAt = 0;

  constructor(private readonly now: () => number) {}

  async acquire(holder: string, ttlMs: number): Promise<LeaseState> {
    const t = this.now();
    if (this.holder === undefined || this.holder === holder || this.expiresAt <= t) {
      this.holder = holder;
      this.expiresAt = t + ttlMs;
    }
    return { held: this.holder === holder, holder: this.holder, expiresAt: this.expiresAt };
  }

  async release(holder: string): Promise<void> {
    if (this.holder === holder) this.holder = undefined;
  }
}
