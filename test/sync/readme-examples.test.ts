import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { exampleDocument, loadDocument } from '../support/test-server.js';

// The YAML examples in the READMEs are real: each is merged into the example config and loaded.

function yamlBlocks(path: string): Record<string, unknown>[] {
  return [...readFileSync(path, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]));
}

describe('README configuration examples load', () => {
  for (const path of ['src/sync/README.md', 'src/sources/README.md', 'README.md']) {
    it(path, () => {
      const blocks = yamlBlocks(path).filter((b) => b && ('sync' in b || 'sources' in b));
      expect(blocks.length).toBeGreaterThan(0);
      for (const block of blocks) {
        const doc = { ...exampleDocument(), ...block };
        expect(() => loadDocument(doc, path)).not.toThrow();
      }
    });
  }
});
