import { describe, expect, it } from 'vitest';
import { nameKeyOf } from '../../src/dns/name-keys.js';

const wire = (text: string) => Buffer.from(text, 'latin1');

describe('nameKeyOf', () => {
  it('gives the bytes as latin1 text, and the same string object for a repeated name', () => {
    const first = nameKeyOf(wire('\x03api\x07example\x03com\x00'), 17, 42);
    expect(first).toBe('\x03api\x07example\x03com\x00');
    const again = nameKeyOf(wire('\x03api\x07example\x03com\x00'), 17, 42);
    expect(again).toBe(first);
  });

  it('never answers with another name that shares the slot, even of the same length', () => {
    // same hash, same length, different bytes: each call must return its own name
    const names = ['\x03aaa\x00', '\x03aab\x00', '\x03zzz\x00', '\x03aaa\x00'];
    for (const name of names) expect(nameKeyOf(wire(name), name.length, 7)).toBe(name);
    // a longer buffer than the name: only `length` bytes count
    expect(nameKeyOf(wire('\x03aaa\x00garbage'), 5, 7)).toBe('\x03aaa\x00');
    // bytes above 0x7f survive as latin1
    expect(nameKeyOf(Buffer.from([1, 0xe9, 0]), 3, 7)).toBe('\x01\xe9\x00');
  });
});
