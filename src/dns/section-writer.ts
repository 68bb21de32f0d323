import type { ChainPrefix, PrebuiltAnswer } from './prebuilt.js';
import type { ParsedQuery } from './query-parser.js';

// Writes the record sections of a response after the question: a chain prefix when there is
// one, then the prebuilt answer, then the late-bound compression pointers of both (see
// PrebuiltAnswer.fixups). Runs per query, so plain loops and no allocation.

/**
 * Copies src[start, end) to dst at `at`; returns the bytes copied. A plain loop: responses
 * are a few hundred bytes, and Buffer#copy's argument checks cost more than the copying
 * (it was the top frame after the handler itself in a profile of handle()).
 */
export function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): number {
  for (let i = start; i < end; i++) dst[at + i - start] = src[i];
  return end - start;
}

/** Octets of the record sections writeSections writes. */
export function sectionsLength(answer: PrebuiltAnswer, prefix: ChainPrefix | undefined): number {
  return (prefix === undefined ? 0 : prefix.records.length) + answer.sections.length;
}

/** Fills the pointers of sections written at `body`: negative targets count back from `anchorEnd`, the others from `body`. */
function fillPointers(out: Uint8Array, body: number, fixups: Int32Array, anchorEnd: number): void {
  for (let i = 0; i < fixups.length; i += 2) {
    const target = fixups[i + 1];
    const to = target < 0 ? anchorEnd + target : body + target;
    out[body + fixups[i]] = 0xc0 | (to >>> 8);
    out[body + fixups[i] + 1] = to & 0xff;
  }
}

/** The answer's three sections, copied to `o`; returns the offset after them. */
function copySections(out: Uint8Array, o: number, answer: PrebuiltAnswer): number {
  return o + copyBytes(answer.sections, 0, answer.sections.length, out, o);
}

/** Writes the answer's three sections at `o`, just past the question (after `prefix`, if any); returns the offset after them. */
export function writeSections(out: Uint8Array, o: number, q: ParsedQuery, answer: PrebuiltAnswer, prefix: ChainPrefix | undefined): number {
  // kept small so it inlines into the writer: the chained case is a call of its own
  if (prefix !== undefined) return writeChained(out, o, q, answer, prefix);
  const end = copySections(out, o, answer);
  if (answer.fixups.length !== 0) fillPointers(out, o, answer.fixups, q.qnameEnd);
  return end;
}

/** The chain prefix, then the answer anchored at the prefix's last target: its pointers and its owners. */
function writeChained(out: Uint8Array, o: number, q: ParsedQuery, answer: PrebuiltAnswer, prefix: ChainPrefix): number {
  const start = o;
  o += copyBytes(prefix.records, 0, prefix.records.length, out, o);
  if (prefix.fixups.length !== 0) fillPointers(out, start, prefix.fixups, q.qnameEnd);
  const anchorStart = start + prefix.anchorAt;
  const body = o;
  o = copySections(out, o, answer);
  if (answer.fixups.length !== 0) fillPointers(out, body, answer.fixups, anchorStart + prefix.anchorLength);
  // the answer's owner is the anchor, not the question name
  const owners = answer.ownerAt;
  for (let i = 0; i < owners.length; i++) {
    out[body + owners[i]] = 0xc0 | (anchorStart >>> 8);
    out[body + owners[i] + 1] = anchorStart & 0xff;
  }
  return o;
}
