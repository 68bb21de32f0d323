import { describe, expect, it } from 'vitest';
import { decodeRdata, encodeRdata, parseRdataText, presentRdata } from '../../../src/config/rdata/rdata.js';
import { parseTypeRef, type TypeRef } from '../../../src/config/rdata/type-codes.js';

// Every type: presentation in, wire out (checked by hand against the RFC layouts), wire
// back in, canonical presentation out.

const ref = (t: string) => parseTypeRef(t) as TypeRef;
const zone = { relative: 'origin', origin: 'example.com', wildcard: false } as const;
const name = (n: string) => n.split('.').map((l) => l.length.toString(16).padStart(2, '0') + Buffer.from(l).toString('hex')).join('') + '00';

const TABLE: [type: string, text: string, hex: string, canonical: string][] = [
  ['A', '192.0.2.1', 'c0000201', '192.0.2.1'],
  ['AAAA', '2001:DB8:0:0::1', '20010db8000000000000000000000001', '2001:db8::1'],
  ['AAAA', '::ffff:192.0.2.1', '00000000000000000000ffffc0000201', '::ffff:192.0.2.1'],
  ['CNAME', 'Web', name('web.example.com'), 'web.example.com.'],
  ['NS', 'ns1.example.net.', name('ns1.example.net'), 'ns1.example.net.'],
  ['PTR', 'host\\.one', name('host.one.example.com').replace('04686f7374036f6e65', '08686f73742e6f6e65'), 'host\\046one.example.com.'],
  // RFC 1035 3.3.9: PREFERENCE then EXCHANGE; RFC 7505: null MX
  ['MX', '10 mail', '000a' + name('mail.example.com'), '10 mail.example.com.'],
  ['MX', '0 .', '000000', '0 .'],
  ['TXT', '"v=spf1 -all" "second"', '0b763d73706631202d616c6c' + '067365636f6e64', '"v=spf1 -all" "second"'],
  ['TXT', 'caf\\195\\169 "\\"q\\""', '05636166c3a9' + '03227122', '"caf\\195\\169" "\\"q\\""'],
  // RFC 8659 4.1: flags, tag length, tag, value to the end
  ['CAA', '0 issue "letsencrypt.org"', '0005697373756' + '56c657473656e63727970742e6f7267', '0 issue "letsencrypt.org"'],
  ['CAA', '128 IODEF "mailto:a@example.com"', '8005696f646566' + Buffer.from('mailto:a@example.com').toString('hex'), '128 iodef "mailto:a@example.com"'],
  // RFC 2782: priority, weight, port, target
  ['SRV', '10 5 5060 sip', '000a000513c4' + name('sip.example.com'), '10 5 5060 sip.example.com.'],
  ['SRV', '0 0 0 .', '00000000000000', '0 0 0 .'],
  // RFC 3403 4.1
  ['NAPTR', '100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .', '0064000a' + '0175' + '07' + Buffer.from('E2U+sip').toString('hex') + '1b' + Buffer.from('!^.*$!sip:info@example.com!').toString('hex') + '00', '100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .'],
  // RFC 4034 5.1: key tag, algorithm, digest type, digest
  ['DS', '60485 ECDSAP256SHA256 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0 614B93C4F9E99B8383F6A1E4469DA50A', 'ec450d02d4b7d520e7bb5f0f67674a0cceb1e3e0614b93c4f9e99b8383f6a1e4469da50a', '60485 13 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A'],
  ['SOA', 'ns1 john\\.doe 1 2h 1h 2w 5m', name('ns1.example.com') + name('john.doe.example.com').replace('046a6f686e03646f65', '086a6f686e2e646f65') + '00000001' + '00001c20' + '00000e10' + '00127500' + '0000012c', 'ns1.example.com. john\\046doe.example.com. 1 7200 3600 1209600 300'],
  // RFC 3597 5: a known type in \# form is read as that type
  ['A', '\\# 4 C0000201', 'c0000201', '192.0.2.1'],
  ['TYPE65534', '\\# 3 ab cd ef', 'abcdef', '\\# 3 ABCDEF'],
  ['TYPE65534', '\\# 0', '', '\\# 0'],
];

describe('record types: presentation, wire and back', () => {
  for (const [type, text, hex, canonical] of TABLE) {
    it(`${type} ${text}`, () => {
      const data = parseRdataText(ref(type), text, zone);
      if (typeof data === 'string') throw new Error(data);
      expect(encodeRdata(data).toString('hex')).toBe(hex);
      expect(presentRdata(data)).toBe(canonical);
      expect(decodeRdata(ref(type).code, Buffer.from(hex, 'hex'))).toEqual(data);
    });
  }
});

const BAD: [type: string, text: string, message: string][] = [
  ['A', '192.0.2.300', 'expected the address as an IPv4 address, got "192.0.2.300"'],
  ['A', '192.0.2.1 192.0.2.2', 'expected an IPv4 address, got "192.0.2.1 192.0.2.2"'],
  ['AAAA', 'fe80::1%eth0', 'expected the address as an IPv6 address, got "fe80::1%eth0"'],
  ['MX', 'mail.example.com', 'expected "PREFERENCE EXCHANGE" like "10 mail.example.com.", got "mail.example.com"'],
  ['MX', '10 .', 'a null MX (exchange ".") must have preference 0 (RFC 7505 3)'],
  ['MX', '70000 mail', 'expected the preference of at most 65535, got 70000'],
  ['CNAME', 'a..b', 'the target: an empty label (two dots in a row, or a leading dot) in "a..b"'],
  ['CNAME', '*.example.com.', 'the target: "*" in "*.example.com."; a wildcard label is only meaningful as the leftmost label of a record\'s owner name (RFC 4592)'],
  ['TXT', '"unclosed', 'a quoted string is not closed on its line (a string may span lines only inside parentheses)'],
  ['TXT', '"a"b', 'text right after a closing quote; separate strings with a space, or escape the quote as \\"'],
  ['TXT', '\\256', 'a \\DDD escape needs three digits 000-255 in "\\\\256"'],
  ['CAA', '0 issue-wild "x"', 'expected a tag of 1-15 letters and digits like issue, issuewild or iodef, got "issue-wild"'],
  ['CAA', '256 issue "x"', 'expected the flags of at most 255, got 256'],
  ['SRV', '10 5 sip', 'expected "PRIORITY WEIGHT PORT TARGET" like "10 5 5060 sip.example.com.", got "10 5 sip"'],
  ['NAPTR', '100 10 "u" "E2U+sip" "!^.*$!x!" sip', 'a NAPTR has either a regexp or a replacement: with a regexp the replacement must be "." (RFC 3403 4.1)'],
  ['NAPTR', '100 10 "u+" "E2U+sip" "" .', 'expected flags of letters and digits like "u" or "s", got "u+"'],
  ['DS', '60485 13 2 D4B7', 'a digest of type 2 (SHA-256) has 32 octets, got 2'],
  ['DS', '60485 0 2 00', 'algorithm 0 is reserved; use the algorithm number of the child DNSKEY (e.g. 13 for ECDSAP256SHA256)'],
  ['DS', '60485 13 1 ABC', 'expected the digest as whole octets (an even number of hex digits), got 3 digits'],
  ['DS', '60485 13 2', 'expected "KEYTAG ALGORITHM DIGESTTYPE DIGEST" like "60485 13 2 D4B7...", got too few fields'],
  ['SOA', 'ns1 hostmaster 1 2h 1h 2w', 'expected "MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM", got "ns1 hostmaster 1 2h 1h 2w"'],
  ['A', '\\# 5 C0000201', '\\# says 5 octets but the hex has 4'],
  ['A', '\\# 3 C00002', 'rdata ends inside the address'],
  ['TXT', '\\# 0', 'rdata ends inside a character-string'],
  ['TYPE65534', 'abc', 'TYPE65534 has no presentation syntax here; write it as TYPE65534 \\# LENGTH HEX (RFC 3597 5)'],
  ['SVCB', '0 . alpn=h2', 'AliasMode (priority 0) takes no SvcParams (RFC 9460 2.4.2); use priority 1 or more for ServiceMode'],
  ['HTTPS', '1 . alpn=h2,', 'alpn: an empty item at the end of the list'],
  ['HTTPS', '1 . ech=W', 'expected ech (an ECHConfigList) in base64 (RFC 4648, with padding), got "W"'],
  ['HTTPS', '1 . dohpath=/dns-query', 'dohpath: expected a relative URI template with a "dns" variable like /dns-query{?dns} (RFC 9461 5), got "/dns-query"'],
];

describe('record types: each bad value gets its own message', () => {
  for (const [type, text, message] of BAD) {
    it(`${type} ${text}`, () => {
      expect(parseRdataText(ref(type), text, zone)).toBe(message);
    });
  }

  it('types that cannot be served as data are refused by name', () => {
    expect(parseTypeRef('DNAME')).toBe('DNAME needs name rewriting in answers, which geosteer does not do');
    expect(parseTypeRef('TYPE41')).toBe('OPT is a pseudo-record of the EDNS exchange, not zone data (RFC 6891)');
    expect(parseTypeRef('TYPE251')).toBe('type 251 is a query or meta type, not zone data (RFC 6895 3.1)');
    expect(parseTypeRef('FOO')).toBe('unknown record type "FOO"; write types geosteer has no syntax for as TYPEnnn with \\# rdata (RFC 3597)');
    expect(parseTypeRef('tlsa')).toEqual({ named: undefined, code: 52 });
  });
});
