import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6, ipv4Mask, isIPv4Mapped, parseIPv4, parseIPv6 } from '../../src/shared/ip-address.js';
import { seededRandom } from './helpers.js';

const CASES = [
  '0.0.0.0', '255.255.255.255', '1.34.5.1', '256.1.1.1', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '01.2.3.4', '1.2.3.04',
  '1.2.3.a', ' 1.2.3.4', '1.2.3.4 ', '', '::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7',
  '1::2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '::ffff:1.2.3.4', '::ffff:1.2.3', '1.2.3.4::', ':1::', '1::2::3',
  ':::', '12345::', 'g::', '2001:b000::1', '2001:B000::1', 'fe80::1%eth0', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4', ':', '1:', '::ffff:0122:0501', '2001:db8::1/64', '[::1]',
];

describe('ip-address', () => {
  it.each(CASES)('parses %j exactly when node:net accepts it', (text) => {
    const bytes = new Uint8Array(16);
    const family = isIP(text);
    expect(parseIPv4(text) >= 0).toBe(family === 4);
    expect(parseIPv6(text, bytes)).toBe(family === 6);
  });

  it('round-trips random addresses through parse and format', () => {
    const random = seededRandom(1);
    const bytes = new Uint8Array(16);
    const back = new Uint8Array(16);
    for (let i = 0; i < 2_000; i++) {
      const v4 = Math.floor(random() * 2 ** 32);
      expect(parseIPv4(formatIPv4(v4))).toBe(v4);
      for (let b = 0; b < 16; b++) bytes[b] = random() < 0.3 ? 0 : Math.floor(random() * 256);
      expect(parseIPv6(formatIPv6(bytes, 0), back)).toBe(true);
      expect(back).toEqual(bytes);
    }
  });

  it('writes at an offset and expands :: in the middle', () => {
    const out = new Uint8Array(20).fill(7);
    expect(parseIPv6('2001:b000::1:2', out, 2)).toBe(true);
    expect([...out]).toEqual([7, 7, 0x20, 0x01, 0xb0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 7, 7]);
  });

  it('recognises IPv4-mapped addresses', () => {
    const bytes = new Uint8Array(16);
    parseIPv6('::ffff:1.34.5.1', bytes);
    expect(isIPv4Mapped(bytes, 0)).toBe(true);
    parseIPv6('::1.34.5.1', bytes);
    expect(isIPv4Mapped(bytes, 0)).toBe(false);
  });

  it('builds masks for every IPv4 prefix length', () => {
    expect(ipv4Mask(0)).toBe(0);
    expect(ipv4Mask(1)).toBe(0x80000000);
    expect(ipv4Mask(24)).toBe(0xffffff00);
    expect(ipv4Mask(32)).toBe(0xffffffff);
  });
});
