import type { ResetDecision, StoreResetReason } from './state-store.js';

// The epoch marker tells "Redis still holds our data" from "Redis lost it". The first
// instance to connect writes `{prefix}:epoch` (SET NX); every full read compares it with the
// one this instance adopted. A Redis restarted without persistence has no marker, so the
// loss is seen on the first read instead of silently replacing drains with nothing.

/** How an epoch came to be: the first connect, or an operator's decision after a reset. */
export type EpochOrigin = 'created' | 'republish' | 'adopt';

/** The epoch marker's contents. */
export interface EpochRecord {
  readonly id: string;
  /** ms since the epoch. */
  readonly at: number;
  /** Instance id that wrote it. */
  readonly by: string;
  readonly origin: EpochOrigin;
}

/** The marker's stored text. Compared as text by the write script, so it is written once and never re-encoded. */
export function epochText(record: EpochRecord): string {
  return JSON.stringify({ id: record.id, at: record.at, by: record.by, origin: record.origin });
}

/** The record in a marker's text, or undefined when it is not one. */
export function parseEpoch(text: string | null | undefined): EpochRecord | undefined {
  if (typeof text !== 'string') return undefined;
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof x !== 'object' || x === null) return undefined;
  const { id, at, by, origin } = x as Record<string, unknown>;
  if (typeof id !== 'string' || id === '' || typeof at !== 'number' || typeof by !== 'string') return undefined;
  if (origin !== 'created' && origin !== 'republish' && origin !== 'adopt') return undefined;
  return { id, at, by, origin };
}

/** What a full read means for this instance's data. */
export type EpochVerdict =
  /** No epoch adopted yet (first read): adopt the marker, or create it when there is none. */
  | { readonly kind: 'first' }
  /** Same generation, nothing lost. */
  | { readonly kind: 'same' }
  /** Another instance confirmed a reset (an operator's decision): take the store's contents. */
  | { readonly kind: 'confirmed'; readonly record: EpochRecord; readonly decision: ResetDecision }
  /** Data was lost: keep the last known overrides and wait for an operator. */
  | { readonly kind: 'lost'; readonly reason: StoreResetReason; readonly cause: string };

function describe(text: string | null): string {
  const r = parseEpoch(text);
  return r ? `epoch ${r.id} (${r.origin} by ${r.by} at ${new Date(r.at).toISOString()})` : `an unreadable marker ${JSON.stringify(text)}`;
}

/**
 * Judges a full read: `known` is the marker text this instance adopted, `found` what Redis
 * holds now, `counter` the version counter read with it, `maxSeen` the highest version this
 * instance has seen. `key` names the marker in messages.
 */
export function judgeEpoch(known: string | undefined, found: string | null, counter: number, maxSeen: number, key: string): EpochVerdict {
  if (known === undefined) return { kind: 'first' };
  if (found === known) {
    if (counter >= maxSeen) return { kind: 'same' };
    return { kind: 'lost', reason: 'counter_behind', cause: `Redis lost recent writes: its version counter is ${counter}, below version ${maxSeen} this instance has seen (restored from an older snapshot?)` };
  }
  const record = parseEpoch(found);
  if (record && record.origin !== 'created') return { kind: 'confirmed', record, decision: record.origin };
  if (found === null) return { kind: 'lost', reason: 'epoch_missing', cause: `Redis lost its data: the epoch marker ${key} is gone (restarted without persistence, or flushed), so drains and weights written before are gone too` };
  return { kind: 'lost', reason: 'epoch_changed', cause: `Redis holds another data generation: ${describe(found)} instead of ${describe(known)} (it restarted empty and another instance started on it, or this is a different Redis)` };
}
