import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Imports point inwards (DESIGN.md): cli -> service -> the edges (admin, sync, sources,
// health, cluster, metrics) -> control -> dns | state -> config -> steering | geo | events
// -> shared. A folder may import itself and what this table lists; nothing else.

const ALLOWED: Record<string, readonly string[]> = {
  shared: [],
  events: ['shared'],
  steering: ['shared'],
  geo: ['shared'],
  config: ['shared', 'steering', 'geo'],
  state: ['shared', 'events', 'config'],
  dns: ['shared', 'steering', 'geo', 'config'],
  control: ['shared', 'events', 'steering', 'geo', 'config', 'dns', 'state'],
  health: ['shared', 'events', 'steering', 'config', 'state', 'control'],
  sources: ['shared', 'events', 'steering', 'geo', 'config', 'control'],
  sync: ['shared', 'events', 'steering', 'config', 'state', 'control'],
  cluster: ['shared', 'events', 'steering', 'geo', 'config', 'dns', 'control', 'metrics'],
  // metrics implements the observers the edges declare, and wraps the DNS handler
  metrics: ['shared', 'events', 'steering', 'geo', 'config', 'dns', 'control', 'health', 'sources', 'sync'],
  // admin serves every view: health's webhook receiver, sync's report, metrics' exposition
  admin: ['shared', 'events', 'steering', 'geo', 'config', 'state', 'control', 'health', 'sync', 'metrics'],
  service: ['shared', 'events', 'steering', 'geo', 'config', 'state', 'dns', 'control', 'health', 'sources', 'sync', 'cluster', 'metrics', 'admin'],
  cli: ['shared', 'steering', 'config', 'service'],
};

const SRC = resolve(__dirname, '../../src');

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** The top folder of src/ a file belongs to ("cli" for src/cli.ts). */
function areaOf(file: string): string {
  return relative(SRC, file).split('/')[0].replace(/\.ts$/, '');
}

/** Every relative module a file imports (static, re-export and dynamic import). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s));
}

describe('import rules', () => {
  it('every folder of src/ is in the table', () => {
    const areas = new Set([...sourceFiles(SRC)].map(areaOf));
    expect([...areas].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('no file imports against the inward order', () => {
    const broken: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = areaOf(file);
      for (const target of importsOf(file)) {
        const to = areaOf(target);
        if (to !== from && !ALLOWED[from].includes(to)) broken.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${from} -> ${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('catches a violation (the check itself works)', () => {
    expect(ALLOWED.steering.includes('dns')).toBe(false);
    expect(importsOf(join(SRC, 'dns/query-handler.ts')).map(areaOf)).toContain('steering');
  });
});
