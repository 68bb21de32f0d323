import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SearchTree } from '../../src/geo/mmdb-tree.js';

// mmdb-lib's own record readers, the reference for every record size (its walker module is
// CommonJS with a default export: (db, recordSize) => { left(offset), right(offset) }).
const walkerOf = (createRequire(import.meta.url)('mmdb-lib/lib/reader/walker') as {
  default: (db: Buffer, recordSize: number) => { left(offset: number): number; right(offset: number): number };
}).default;

describe('SearchTree records', () => {
  it.each([24, 28, 32] as const)('reads %i-bit records as mmdb-lib does, top nibbles included', (recordSize) => {
    const nodes = 256;
    const nodeBytes = recordSize / 4;
    const buf = randomBytes(nodes * nodeBytes);
    const tree = new SearchTree(buf, { nodeCount: nodes, recordSize, ipVersion: 4 });
    const reference = walkerOf(buf, recordSize);
    for (let node = 0; node < nodes; node++) {
      // mmdb-lib's 32-bit reader is signed-free; its 28-bit one shifts into the sign bit for
      // nibbles >= 8, so compare as unsigned
      expect(tree.record(node, 0), `node ${node} left`).toBe(reference.left(node * nodeBytes) >>> 0);
      expect(tree.record(node, 1), `node ${node} right`).toBe(reference.right(node * nodeBytes) >>> 0);
    }
  });

  it('stops at the first record that is not a node and reports its depth', () => {
    // node 0: left -> node 1, right -> data 5; node 1: left -> "no data" (2), right -> data 6
    const buf = Buffer.from([0, 0, 1, 0, 0, 5, 0, 0, 2, 0, 0, 6]);
    const tree = new SearchTree(buf, { nodeCount: 2, recordSize: 24, ipVersion: 4 });
    expect(tree.findV4(0x80000000)).toBe(5);
    expect(tree.depth).toBe(1);
    expect(tree.findV4(0x40000000)).toBe(6);
    expect(tree.depth).toBe(2);
    expect(tree.findV4(0)).toBe(2);
    expect(tree.hasData(2)).toBe(false);
    expect(tree.hasData(6)).toBe(true);
  });

  it('rejects record sizes the format does not have', () => {
    expect(() => new SearchTree(Buffer.alloc(16), { nodeCount: 1, recordSize: 20, ipVersion: 4 })).toThrow('unsupported record size 20');
  });
});
