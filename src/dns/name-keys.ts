/**
 * Reuses the lookup-key string of recently seen query names. Most queries ask for the same
 * few names, and making a fresh string per query (Buffer#toString, a call into C++ and an
 * allocation) showed in the server's profile; a reused string also keeps V8's cached hash,
 * so the snapshot's Map lookup does not hash it again. Direct-mapped and fixed in size, so
 * hostile random names can only evict each other.
 *
 * A slot is matched on its bytes, not through the string: ioredis subclasses String, which
 * puts String.prototype in dictionary mode, and then every `str.charCodeAt()` in optimized
 * code is a generic property lookup (3% of a server's CPU in the profile).
 */

const SLOTS = 256; // a power of two
/** Bytes per slot: a name in wire form is at most 255 octets (RFC 1035 2.3.4). */
const STRIDE = 256;
const keys: string[] = new Array<string>(SLOTS).fill('');
const keyBytes = new Uint8Array(SLOTS * STRIDE);
/** 0 for an empty slot: a name key is at least one octet (the root label). */
const keyLengths = new Int32Array(SLOTS);

/**
 * The latin1 string of bytes[0..length), from the cache when the slot chosen by `hash`
 * holds exactly those bytes. `hash` is any function of the bytes (the parser's fold loop
 * computes it).
 */
export function nameKeyOf(bytes: Buffer, length: number, hash: number): string {
  const slot = hash & (SLOTS - 1);
  const base = slot * STRIDE;
  if (keyLengths[slot] === length) {
    let i = 0;
    while (i < length && keyBytes[base + i] === bytes[i]) i++;
    if (i === length) return keys[slot];
  }
  const key = bytes.toString('latin1', 0, length);
  if (length <= STRIDE) {
    for (let i = 0; i < length; i++) keyBytes[base + i] = bytes[i];
    keys[slot] = key;
    keyLengths[slot] = length;
  }
  return key;
}
