import dns2 from 'dns2';
import { describe, expect, it } from 'vitest';
import { encodeRecord, POINTER_TO_QNAME } from '../../src/dns/wire.js';

// Records encoded once per snapshot, decoded back by dns2 (the real wire decoder).
function decode(rr: Buffer) {
  // a named owner decodes stand-alone; dns2 reads one resource record
  return dns2.Packet.Resource.decode(rr) as unknown as { name: string; type: number; ttl: number; address?: string };
}

describe('encodeRecord', () => {
  it('AAAA, including the embedded-IPv4 form dns2 itself mis-encodes', () => {
    for (const [address, expected] of [
      ['2001:db8::1', '2001:db8::1'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['2001:db8:53::1', '2001:db8:53::1'],
    ]) {
      const rr = decode(encodeRecord('host.example.com', 30, { type: 'AAAA', address }));
      expect(rr).toMatchObject({ name: 'host.example.com', type: 28, ttl: 30, address: expected });
    }
  });

  it('owner as a pointer to the question name', () => {
    const rr = encodeRecord(POINTER_TO_QNAME, 30, { type: 'A', address: '192.0.2.1' });
    expect([...rr.subarray(0, 2)]).toEqual([0xc0, 0x0c]);
    expect([...rr.subarray(-4)]).toEqual([192, 0, 2, 1]);
  });
});
