import { describe, expect, it } from 'vitest';
import { hostnameProblem, isInZone, parseName } from '../../src/config/names.js';
import { encodeName } from '../../src/dns/wire.js';

// Names by RFC 1035 2.3.4 / 5.1, RFC 2181 11, RFC 4343 and RFC 4592.

const owner = { origin: 'example.com', relative: 'origin', wildcard: true } as const;
const label63 = 'a'.repeat(63);

describe('parseName', () => {
  const GOOD: [string, string][] = [
    ['www', 'www.example.com'],
    ['WWW.Example.COM.', 'www.example.com'],
    ['@', 'example.com'],
    ['.', ''],
    ['_sip._tcp', '_sip._tcp.example.com'],
    ['*.wild', '*.wild.example.com'],
    ['0/25.2.0.192.in-addr.arpa.', '0/25.2.0.192.in-addr.arpa'],
    ['a\\.b', 'a\\046b.example.com'],
    ['\\065\\066c', 'abc.example.com'],
    ['sp\\ ace', 'sp\\032ace.example.com'],
    [`${label63}.x.`, `${label63}.x`],
  ];
  for (const [text, canonical] of GOOD) {
    it(`reads ${JSON.stringify(text)}`, () => expect(parseName(text, owner)).toEqual({ name: canonical }));
  }

  const BAD: [string, string][] = [
    ['a..b', 'an empty label (two dots in a row, or a leading dot) in "a..b"'],
    ['.a', 'an empty label (two dots in a row, or a leading dot) in ".a"'],
    ['bad name', 'a space, which must be escaped (\\X or \\DDD) in a name in "bad name"'],
    [`${'a'.repeat(70)}.example.com.`, `a label of 70 octets in "${'a'.repeat(70)}.example.com."; labels have at most 63 (RFC 1035 2.3.4)`],
    ['a.*.b.', '"*" in "a.*.b."; a wildcard is a whole leftmost label like *.example.com (RFC 4592)'],
    ['*a.', '"*" in "*a."; a wildcard is a whole leftmost label like *.example.com (RFC 4592)'],
    ['\\12', 'a \\DDD escape needs three digits 000-255, got "\\12" in "\\\\12"'],
    ['\\256', 'a \\DDD escape needs three digits 000-255, got "\\256" in "\\\\256"'],
    ['bücher', '"ü" (write internationalised names in their xn-- form), which must be escaped (\\X or \\DDD) in a name in "bücher"'],
    ['a&b', '"&", which must be escaped (\\X or \\DDD) in a name in "a&b"'],
    [`${Array(4).fill(label63).join('.')}.`, `"${Array(4).fill(label63).join('.')}." is 257 octets in wire form; names have at most 255 (RFC 1035 2.3.4)`],
  ];
  for (const [text, problem] of BAD) {
    it(`refuses ${JSON.stringify(text.slice(0, 40))}`, () => expect(parseName(text, owner)).toEqual({ problem }));
  }

  it('255 octets in wire form is the longest name; one more octet is refused', () => {
    // 3 x (63 + 1) + (49 + 1) + 13 for example.com. = 255
    const longest = [label63, label63, label63, 'b'.repeat(49)].join('.');
    expect(encodeName((parseName(longest, owner) as { name: string }).name).length).toBe(255);
    expect(parseName(`${longest}b`, owner)).toHaveProperty('problem');
  });

  it('YAML rdata names are absolute with or without the trailing dot', () => {
    expect(parseName('mail.example.net', { origin: 'example.com', relative: 'absolute', wildcard: false })).toEqual({ name: 'mail.example.net' });
  });
});

describe('canonical names on the wire and in suffix tests', () => {
  it('\\DDD escapes become single octets, so an escaped dot is inside a label', () => {
    expect(encodeName('a\\046b.example.com').toString('hex')).toBe('03612e62076578616d706c6503636f6d00');
    expect(isInZone('a\\046example.com', 'example.com')).toBe(false);
    expect(isInZone('x.a\\046b.com', 'a\\046b.com')).toBe(true);
  });

  it('host names: letters, digits and inner hyphens', () => {
    expect(hostnameProblem('ns1.example.com')).toBeUndefined();
    expect(hostnameProblem('_sip.example.com')).toBe('label "_sip" of _sip.example.com is not a host name label (letters, digits and inner hyphens, RFC 1123 2.1)');
    expect(hostnameProblem('-ns.example.com')).toBe('label "-ns" of -ns.example.com is not a host name label (letters, digits and inner hyphens, RFC 1123 2.1)');
    expect(hostnameProblem('')).toBe('the root is not a host name');
  });
});
