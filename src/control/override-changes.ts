import type { RegionOverrides } from '../steering/region-status.js';

/** What changed between two sets of overrides, in operator words ("drain tokyo (by ops: maintenance)", "weight taiwan 20 -> 50"). */
export function overrideChanges(before: RegionOverrides, after: RegionOverrides): string[] {
  const out: string[] = [];
  for (const region of new Set([...before.weights.keys(), ...after.weights.keys()])) {
    const a = before.weights.get(region);
    const b = after.weights.get(region);
    if (a !== b) out.push(`weight ${region} ${a ?? 'configured'} -> ${b ?? 'configured'}`);
  }
  for (const [region, info] of after.drains) {
    if (before.drains.has(region)) continue;
    const d = info as { by?: unknown; reason?: unknown } | undefined;
    out.push(`drain ${region}${d?.by !== undefined ? ` (by ${String(d.by)}${d.reason ? `: ${String(d.reason)}` : ''})` : ''}`);
  }
  for (const region of before.drains.keys()) if (!after.drains.has(region)) out.push(`undrain ${region}`);
  return out;
}
