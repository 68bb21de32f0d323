// The API budget as a token bucket shared by everything that uses one Cloudflare account:
// Cloudflare allows 1200 requests per 5 minutes per user and blocks the token for the rest
// of the window when that is exceeded, so we spend well inside it (default 600 per 5 min,
// bursts of 60) and pause everyone when the provider says stop (a 429's Retry-After, or a
// `Ratelimit` header with nothing remaining). The in-memory bucket serves one process; the
// Redis one (src/state/redis-sync-coordination.ts) is shared by every instance.

/** Budget parameters: `requests` per `windowMs`, at most `burst` in a row. */
export interface BudgetSettings {
  readonly requests: number;
  readonly windowMs: number;
  readonly burst: number;
}

/** The budget as /v1/sync shows it. */
export interface BudgetState {
  readonly tokens: number;
  readonly capacity: number;
  readonly refillPerSecond: number;
  /** Epoch ms until which nobody may send, when blocked. */
  readonly blockedUntil: number | undefined;
}

/** A request budget; times are epoch ms of the caller's clock. */
export interface RequestBudget {
  /** Takes one request: resolves 0 when granted, else the ms until one may be (nothing is taken then). */
  take(): Promise<number>;
  /** Nobody sends before `until`. */
  blockUntil(until: number): Promise<void>;
  /** The provider's own count: never believe more than `remaining` are left; 0 blocks for `resetMs`. */
  observe(remaining: number, resetMs: number): Promise<void>;
  state(): Promise<BudgetState>;
}

/** Refill rate in tokens per millisecond. */
export function refillPerMs(s: BudgetSettings): number {
  return s.requests / s.windowMs;
}

/** A token bucket in this process. */
export class MemoryRequestBudget implements RequestBudget {
  private tokens: number;
  private updatedAt: number;
  private blockedUntil = 0;
  private readonly rate: number;

  constructor(
    private readonly settings: BudgetSettings,
    private readonly now: () => number,
  ) {
    this.tokens = settings.burst;
    this.updatedAt = now();
    this.rate = refillPerMs(settings);
  }

  private refill(): number {
    const t = this.now();
    this.tokens = Math.min(this.settings.burst, this.tokens + Math.max(0, t - this.updatedAt) * this.rate);
    this.updatedAt = t;
    return t;
  }

  async take(): Promise<number> {
    const t = this.refill();
    if (this.blockedUntil > t) return this.blockedUntil - t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.rate);
  }

  async blockUntil(until: number): Promise<void> {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  async observe(remaining: number, resetMs: number): Promise<void> {
    const t = this.refill();
    this.tokens = Math.min(this.tokens, remaining);
    if (remaining <= 0) this.blockedUntil = Math.max(this.blockedUntil, t + resetMs);
  }

  async state(): Promise<BudgetState> {
    const t = this.refill();
    return { tokens: Math.floor(this.tokens), capacity: this.settings.burst, refillPerSecond: this.rate * 1000, blockedUntil: this.blockedUntil > t ? this.blockedUntil : undefined };
  }
}
