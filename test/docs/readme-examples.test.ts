import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stringify } from 'yaml';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/shared/errors.js';
import { exampleDocument } from '../support/test-server.js';

// Every ```yaml block of every README is geosteer config and loads: a block with `zones` is
// a whole config, any other block is a fragment merged into the example config. A zone file
// it names is the README's ```zone block introduced by "`path`:". YAML that is not geosteer
// config (Kubernetes, Alertmanager, Prometheus) is fenced ```yml and only has to parse.

const READMES = ['README.md', 'geo/README.md', 'deploy/README.md', ...readdirSync('src').map((d) => join('src', d, 'README.md'))].filter((p) => existsSync(p));

function blocks(path: string, fence: string): { line: number; text: string }[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(new RegExp(`^\`\`\`${fence}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map((m) => ({ line: text.slice(0, m.index).split('\n').length, text: m[1] }));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `base` with `over` laid on top: objects merge key by key, everything else is replaced. */
function merged(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? merged(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** The README's zone files: each ```zone block under a line "`some/path.zone`:". */
function zoneFiles(path: string): Map<string, string> {
  const text = readFileSync(path, 'utf8');
  return new Map([...text.matchAll(/^`([^`]+)`:\n\n```zone\n([\s\S]*?)^```/gm)].map((m) => [m[1], m[2]]));
}

function problemsOf(doc: unknown, where: string, zones: Map<string, string>): string[] {
  try {
    parseConfigText(stringify(doc), where, {
      readZoneFile: (file: string) => {
        const hit = [...zones].find(([name]) => file.endsWith(name));
        if (!hit) throw new Error(`no \`${file}\` zone block in the README`);
        return hit[1];
      },
    });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

describe('README examples', () => {
  it('there are examples to check', () => {
    expect(READMES.reduce((n, p) => n + blocks(p, 'yaml').length, 0)).toBeGreaterThan(10);
  });

  for (const path of READMES) {
    for (const block of blocks(path, 'yaml')) {
      it(`${path}:${block.line} loads as geosteer config`, () => {
        const doc = parse(block.text) as unknown;
        expect(isObject(doc), 'a YAML mapping').toBe(true);
        const full = 'zones' in (doc as object) ? doc : merged(exampleDocument(), doc as Record<string, unknown>);
        expect(problemsOf(full, `${path}:${block.line}`, zoneFiles(path))).toEqual([]);
      });
    }
    for (const block of blocks(path, 'yml')) {
      it(`${path}:${block.line} is valid YAML`, () => {
        expect(() => parse(block.text)).not.toThrow();
      });
    }
  }
});
