/**
 * Reuses the lookup-key string of recently seen query names. Most queries ask for the same
 * few names, and making a fresh string per query (Buffer#toString, a call into C++ and an
 * allocation) showed in the server's profile; a reused string also keeps V8's cached hash,
 * so the snapshot's Map lookup does not hash it again. Direct-mapped and fixed in size, so
 * hostile random names can only evict each other.
 */

const SLOTS = 256; // a power of two
const keys: string[] = new Array<string>(SLOTS).fill('');

/**
 * The latin1 string of bytes[0..length), from the cache when the slot chosen by `hash`
 * holds exactly those bytes. `hash` is any function of the bytes (the parser's fold loop
 * computes it).
 */
export function nameKeyOf(bytes: Buffer, length: number, hash: number): string {
  const slot = hash & (SLOTS - 1);
  const cached = keys[slot];
  if (cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === bytes[i]) i++;
    if (i === length) return cached;
  }
  const key = bytes.toString('latin1', 0, length);
  keys[slot] = key;
  return key;
}
