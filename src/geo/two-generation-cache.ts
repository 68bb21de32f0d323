/**
 * Bounded cache in the hashlru scheme: two Maps, `young` and `old`. A hit in `old` copies the
 * entry into `young`; when `young` holds maxEntries/2 entries it becomes `old` and the previous
 * `old` is dropped whole. Hits never delete and re-insert: on Node 20 Map delete+set on a hit
 * costs time proportional to the map size, which LRU-by-reinsertion caches pay on every hit.
 */
export class TwoGenerationCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generationSize: number;

  /** `maxEntries` (>= 2) bounds young + old together. */
  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 2) {
      throw new RangeError(`TwoGenerationCache: maxEntries must be an integer >= 2, got ${maxEntries}`);
    }
    this.generationSize = Math.floor(maxEntries / 2);
  }

  /** The cached value, or undefined. */
  get(key: K): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  /** Stores a value (never undefined) in the young generation. */
  set(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  /** Entries held in both generations (a key promoted from old counts twice until old is dropped). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  /** Drops everything. */
  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}
