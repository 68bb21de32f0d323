import { describe, expect, it } from 'vitest';
import { knotOutcomes, ourOutcomes, type Outcome } from './knot-corpus.js';

// Knot DNS's own zone-scanner tests (tests/libzscanner/data in CZ-NIC/knot, copied into
// test/fixtures/knot-zscanner): every record of each .in file must give the rdata Knot's
// .out has, and every line Knot refuses must be refused here too. Where geosteer is
// stricter on purpose, the row is listed with the reason.

/** Outcomes where geosteer refuses what Knot accepts, by file and position, with why. */
const STRICTER: Record<string, Record<number, string>> = {
  '01_owner': {
    6: '"*.*": a "*" label below the leftmost is no wildcard (RFC 4592 2.1.1) and is almost always a typo',
    7: '"*a.a*a.**": "*" inside a label is refused for the same reason',
    14: 'an escaped "*" inside a longer label, likewise',
  },
  '57_SVCB': { 9: 'no-default-alpn without alpn is not self-consistent (RFC 9460 7.1.1)' },
};

/** Outcomes where geosteer gives other rdata than Knot on purpose. */
const DIFFERENT: Record<string, Record<number, { owner: string; why: string }>> = {
  '01_owner': { 12: { owner: '1a6162636465666768696a6b6c6d6e6f707172737475767778797a00', why: 'owner names are folded to lower case (RFC 4343)' } },
};

const kind = (o: Outcome) => ('error' in o ? 'error' : 'record');

describe('Knot zscanner corpus', () => {
  for (const name of ['00-0_general', '01_owner', '57_SVCB', '58_HTTPS']) {
    it(name, () => {
      const knot = knotOutcomes(name);
      const ours = ourOutcomes(name);
      expect(ours.length).toBe(knot.length);
      knot.forEach((expected, i) => {
        const got = ours[i];
        const stricter = STRICTER[name]?.[i];
        const different = DIFFERENT[name]?.[i];
        if (stricter) expect(kind(got), `#${i} (${stricter})`).toBe('error');
        else if (different) expect(got, `#${i} (${different.why})`).toEqual({ ...expected, owner: different.owner });
        else if ('error' in expected) expect(kind(got), `#${i}: Knot refuses (${expected.error}), got ${JSON.stringify(got)}`).toBe('error');
        else expect(got, `#${i}`).toEqual(expected);
      });
    });
  }
});

// Knot's .out for these two files is not in the copy we have, so the expected rdata was
// worked out by hand from RFC 1035 3.3.14 / 5.1 (TXT) and RFC 4034 5.1 (DS).
const LONG = 'abcdefghijklmnopqrstuvwxyz1234567890ABCDEFGHIJKLMN'.repeat(5) + '1234';
const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const cs = (s: string) => (s.length.toString(16).padStart(2, '0') + hex(s));

const HAND_CHECKED: Record<string, (string | 'error')[]> = {
  '12_TXT': [
    cs(''), cs('a'), cs(' '), cs(' '), cs('\x15'), cs('\\ "'), cs('') + cs('test1') + cs('\xff') + cs('test2'), cs('').repeat(3),
    cs('first') + cs('#') + cs('#'), cs(' 0 \\";.@*.tld.'), cs(' !"#$%&\'()*+,-./0123456789:;<=>?@'), cs('ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`'),
    cs('abcdefghijklmnopqrstuvwxyz{|}~'), cs(''), cs(''), cs(''), cs('first\nsecond') + cs('third'),
    // 255 octets fit one string; 256 (\0536 and \053\054 are "5" then "6") are split into 255 + 1, as Knot does
    cs(`${LONG}5`), cs(`${LONG}5`) + cs('6'), cs(`${LONG}5`) + cs('6'), cs(''),
    'error', 'error', 'error', 'error', 'error', 'error',
  ],
  '33_DS': [
    // algorithm 0 and digest type 0 are reserved: a DS with them breaks the child's chain of trust
    'error', 'ffffffff00', 'error', 'error', 'error', 'error', 'error',
    'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error',
  ],
};

describe('Knot zscanner inputs checked by hand', () => {
  for (const [name, expected] of Object.entries(HAND_CHECKED)) {
    it(name, () => {
      const ours = ourOutcomes(name).map((o) => ('error' in o ? 'error' : o.rdata));
      expect(ours).toEqual(expected);
    });
  }
});
