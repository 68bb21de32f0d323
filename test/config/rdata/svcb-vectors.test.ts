import { describe, expect, it } from 'vitest';
import { decodeRdata, encodeRdata, parseRdataText, presentRdata } from '../../../src/config/rdata/rdata.js';
import { parseTypeRef, type TypeRef } from '../../../src/config/rdata/type-codes.js';

// RFC 9460 appendix D: the presentation forms and the wire form each must give.

const ref = (t: string) => parseTypeRef(t) as TypeRef;
const names = { relative: 'origin', origin: 'example.com', wildcard: false } as const;

const VECTORS: [string, string, string][] = [
  // D.1 Figure 2: AliasMode
  ['HTTPS', '0 foo.example.com.', '000003666f6f076578616d706c6503636f6d00'],
  // D.2 Figures 3-10: ServiceMode
  ['SVCB', '1 .', '000100'],
  ['SVCB', '16 foo.example.com. port=53', '001003666f6f076578616d706c6503636f6d00000300020035'],
  ['SVCB', '1 foo.example.com. key667=hello', '000103666f6f076578616d706c6503636f6d00029b000568656c6c6f'],
  ['SVCB', '1 foo.example.com. key667="hello\\210qoo"', '000103666f6f076578616d706c6503636f6d00029b000968656c6c6fd2716f6f'],
  ['SVCB', '1 foo.example.com. ( ipv6hint="2001:db8::1,2001:db8::53:1" )', '000103666f6f076578616d706c6503636f6d000006002020010db800000000000000000000000120010db8000000000000000000530001'],
  ['SVCB', '1 example.com. ( ipv6hint="2001:db8:122:344::192.0.2.33" )', '0001076578616d706c6503636f6d000006001020010db80122034400000000c0000221'],
  ['SVCB', '16 foo.example.org. ( alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1 )', '001003666f6f076578616d706c65036f7267000000000400010004000100090268320568332d313900040004c0000201'],
  ['SVCB', '16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"', '001003666f6f076578616d706c65036f7267000001000c08665c6f6f2c626172026832'],
  ['SVCB', '16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2', '001003666f6f076578616d706c65036f7267000001000c08665c6f6f2c626172026832'],
];

describe('RFC 9460 appendix D vectors', () => {
  for (const [type, text, hex] of VECTORS) {
    it(`${type} ${text}`, () => {
      const data = parseRdataText(ref(type), text, names);
      if (typeof data === 'string') throw new Error(data);
      expect(encodeRdata(data).toString('hex')).toBe(hex);
      // the wire decodes to the same data, and its canonical form parses back to it too
      const decoded = decodeRdata(ref(type).code, Buffer.from(hex, 'hex'));
      expect(decoded).toEqual(data);
      expect(parseRdataText(ref(type), presentRdata(decoded), names)).toEqual(data);
    });
  }

  // D.3 Figure 11: each must be refused
  const FAILURES: [string, string][] = [
    ['1 foo.example.com. ( key123=abc key123=def )', 'SvcParam key123 appears twice (RFC 9460 2.2)'],
    ['1 foo.example.com. mandatory', 'mandatory needs a value, like mandatory=alpn,port'],
    ['1 foo.example.com. alpn', 'alpn needs a value, like alpn=h2,h3'],
    ['1 foo.example.com. port', 'port needs a value, like port=8443'],
    ['1 foo.example.com. ipv4hint', 'ipv4hint needs a value, like ipv4hint=192.0.2.1,192.0.2.2 or ipv4hint=steered'],
    ['1 foo.example.com. ipv6hint', 'ipv6hint needs a value, like ipv6hint=2001:db8::1 or ipv6hint=steered'],
    ['1 foo.example.com. no-default-alpn=abc', 'no-default-alpn takes no value'],
    ['1 foo.example.com. mandatory=key123', 'mandatory lists key123, which the record does not have (RFC 9460 8)'],
    ['1 foo.example.com. mandatory=mandatory', 'mandatory cannot list mandatory itself (RFC 9460 8)'],
    ['1 foo.example.com. ( mandatory=key123,key123 key123=abc )', 'mandatory lists key123 twice'],
  ];
  for (const [text, message] of FAILURES) {
    it(`refuses SVCB ${text}`, () => {
      expect(parseRdataText(ref('SVCB'), text, names)).toBe(message);
    });
  }

  it('steered hints: parsed, left out of the wire without addresses, filled with them', () => {
    const data = parseRdataText(ref('HTTPS'), '1 . alpn=h2 ipv4hint=steered ipv6hint=steered', names);
    if (typeof data === 'string') throw new Error(data);
    expect(presentRdata(data)).toBe('1 . alpn="h2" ipv4hint=steered ipv6hint=steered');
    expect(encodeRdata(data).toString('hex')).toBe('00010000010003026832');
    expect(encodeRdata(data, { ipv4: ['192.0.2.1'], ipv6: [] }).toString('hex')).toBe('0001000001000302683200040004c0000201');
    expect(parseRdataText(ref('HTTPS'), '1 . mandatory=ipv4hint ipv4hint=steered', names)).toBe(
      'ipv4hint=steered cannot be mandatory: it is left out of answers from a region without such addresses',
    );
  });

  it('keys out of order on the wire are refused (RFC 9460 2.2)', () => {
    // port (3) before alpn (1)
    expect(() => decodeRdata(64, Buffer.from('000100' + '000300020035' + '00010003026832', 'hex'))).toThrow('SvcParam keys out of order (alpn after port)');
  });
});
