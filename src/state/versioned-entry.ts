import type { DrainInfo, InstanceObservations } from './state-store.js';

/** One stored weight or drain with the version Redis gave it; value null is a tombstone (override removed). */
export interface VersionedEntry<T> {
  readonly value: T | null;
  readonly version: number;
  readonly at: number;
  readonly by: string;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function entryShell(x: unknown): { value: unknown; version: number; at: number; by: string } | undefined {
  if (!isObject(x)) return undefined;
  const { value, version, at, by } = x;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) return undefined;
  if (typeof at !== 'number' || typeof by !== 'string') return undefined;
  return { value, version, at, by };
}

/** A weight entry from its stored form, or undefined when it is not one (ignored, never applied). */
export function parseWeightEntry(x: unknown): VersionedEntry<number> | undefined {
  const e = entryShell(x);
  if (!e) return undefined;
  if (e.value === null) return { ...e, value: null };
  if (typeof e.value !== 'number' || !Number.isInteger(e.value) || e.value < 0 || e.value > 100) return undefined;
  return { ...e, value: e.value };
}

/** A drain entry from its stored form, or undefined when it is not one. */
export function parseDrainEntry(x: unknown): VersionedEntry<DrainInfo> | undefined {
  const e = entryShell(x);
  if (!e) return undefined;
  if (e.value === null) return { ...e, value: null };
  const v = e.value;
  if (!isObject(v) || typeof v.reason !== 'string' || typeof v.by !== 'string' || typeof v.at !== 'number') return undefined;
  return { ...e, value: { reason: v.reason, by: v.by, at: v.at } };
}

/** Observations from their stored form, or undefined when malformed. */
export function parseObservations(x: unknown): InstanceObservations | undefined {
  if (!isObject(x) || typeof x.instance !== 'string' || typeof x.at !== 'number' || !isObject(x.targets)) return undefined;
  const targets: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(x.targets)) {
    if (typeof v !== 'boolean') return undefined;
    targets[k] = v;
  }
  return { instance: x.instance, at: x.at, targets };
}

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when two target maps say the same thing (heartbeats that change nothing do not rebuild). */
export function sameTargets(a: Readonly<Record<string, boolean>>, b: Readonly<Record<string, boolean>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] === a[k]);
}
