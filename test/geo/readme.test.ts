import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../src/config/schema.js';

function yamlBlocks(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('geo README examples', () => {
  it.each(['src/geo/README.md', 'geo/README.md'])('%s: the geoip config example is valid config', (file) => {
    const blocks = yamlBlocks(file);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const doc = parse(block) as { geoip: unknown };
      expect(configSchema.shape.geoip.parse(doc.geoip)).toEqual({
        database: '/usr/share/GeoIP/GeoLite2-Country.mmdb',
        reload_check_interval: 60_000,
      });
    }
  });
});
