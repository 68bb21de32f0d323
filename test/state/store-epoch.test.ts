import { describe, expect, it } from 'vitest';
import { epochText, judgeEpoch, parseEpoch } from '../../src/state/store-epoch.js';

const mine = epochText({ id: 'e1', at: 0, by: 'a', origin: 'created' });
const other = epochText({ id: 'e2', at: Date.UTC(2026, 0, 2), by: 'c', origin: 'created' });
const republished = epochText({ id: 'e3', at: 0, by: 'ops', origin: 'republish' });
const adopted = epochText({ id: 'e4', at: 0, by: 'ops', origin: 'adopt' });

describe('judgeEpoch (what a full read means)', () => {
  // [label, known marker, found marker, counter, highest version seen, verdict kind, reason]
  const cases: [string, string | undefined, string | null, number, number, string, string?][] = [
    ['first read, no marker yet', undefined, null, 0, 0, 'first'],
    ['first read, a marker exists', undefined, mine, 7, 0, 'first'],
    ['same marker, counter caught up', mine, mine, 7, 7, 'same'],
    ['same marker, counter ahead (others wrote)', mine, mine, 9, 7, 'same'],
    ['same marker, counter behind what was seen', mine, mine, 3, 7, 'lost', 'counter_behind'],
    ['marker gone', mine, null, 0, 7, 'lost', 'epoch_missing'],
    ['another first-connect marker', mine, other, 1, 7, 'lost', 'epoch_changed'],
    ['an unreadable marker', mine, 'garbage', 1, 7, 'lost', 'epoch_changed'],
    ['a republish decision', mine, republished, 9, 7, 'confirmed'],
    ['an adopt decision, even with a lower counter', mine, adopted, 1, 7, 'confirmed'],
  ];
  for (const [label, known, found, counter, seen, kind, reason] of cases) {
    it(label, () => {
      const verdict = judgeEpoch(known, found, counter, seen, '{p}:epoch');
      expect(verdict.kind).toBe(kind);
      if (reason) expect(verdict).toMatchObject({ reason });
    });
  }

  it('says what was found, in operator words', () => {
    expect(judgeEpoch(mine, other, 1, 7, '{p}:epoch')).toEqual({
      kind: 'lost',
      reason: 'epoch_changed',
      cause: 'Redis holds another data generation: epoch e2 (created by c at 2026-01-02T00:00:00.000Z) instead of epoch e1 (created by a at 1970-01-01T00:00:00.000Z) (it restarted empty and another instance started on it, or this is a different Redis)',
    });
    expect(judgeEpoch(mine, null, 0, 7, '{p}:epoch')).toMatchObject({ cause: expect.stringMatching(/^Redis lost its data: the epoch marker \{p\}:epoch is gone/) });
    expect(judgeEpoch(mine, adopted, 1, 7, '{p}:epoch')).toMatchObject({ decision: 'adopt', record: { id: 'e4', by: 'ops' } });
  });

  it('parses only well-formed markers', () => {
    expect(parseEpoch(mine)).toEqual({ id: 'e1', at: 0, by: 'a', origin: 'created' });
    for (const bad of [null, '', '{}', '[]', '{"id":"","at":0,"by":"a","origin":"created"}', '{"id":"x","at":"0","by":"a","origin":"created"}', '{"id":"x","at":0,"by":"a","origin":"guess"}']) {
      expect(parseEpoch(bad)).toBeUndefined();
    }
  });
});
