import { describe, expect, it } from 'vitest';
import { withRetry, type RetryOptions } from '../../src/sync/cloudflare/retry.js';

function clock(): RetryOptions & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxTotalMs: 10_000,
    now: () => t,
    random: () => 1,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

describe('withRetry bounds', () => {
  it('stops after maxAttempts and rethrows the last error', async () => {
    const c = clock();
    let calls = 0;
    await expect(withRetry(async () => { throw new Error(`fail ${++calls}`); }, () => ({ retry: true, delayMs: undefined }), c)).rejects.toThrow('fail 4');
    expect(c.slept).toEqual([100, 200, 400]); // doubling backoff
  });

  it('waits what the server asks, capped at maxDelayMs', async () => {
    const c = clock();
    let calls = 0;
    const v = await withRetry(async () => (++calls < 3 ? Promise.reject(new Error('429')) : 'ok'), () => ({ retry: true, delayMs: calls === 1 ? 500 : 60_000 }), c);
    expect(v).toBe('ok');
    expect(c.slept).toEqual([500, 1000]);
  });

  it('gives up when the next wait would pass maxTotalMs', async () => {
    const c = { ...clock(), maxAttempts: 100, maxTotalMs: 2500 };
    await expect(withRetry(async () => { throw new Error('down'); }, () => ({ retry: true, delayMs: 1000 }), c)).rejects.toThrow('down');
    expect(c.slept).toEqual([1000, 1000]);
  });

  it('does not retry permanent errors', async () => {
    const c = clock();
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new Error('400'); }, () => ({ retry: false }), c)).rejects.toThrow('400');
    expect(calls).toBe(1);
    expect(c.slept).toEqual([]);
  });
});
