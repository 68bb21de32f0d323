import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRdata } from '../../../src/config/rdata/rdata.js';
import { typeCode } from '../../../src/config/rdata/type-codes.js';
import { parseZoneText } from '../../../src/config/zone-file/parser.js';
import { encodeName } from '../../../src/dns/wire.js';

/** One outcome in Knot's zscanner test format: a record's wire fields, or an error. */
export type Outcome = { owner: string; ttl: number; type: number; rdata: string } | { error: string };

export const KNOT_DIR = join(import.meta.dirname, '../../fixtures/knot-zscanner');

/** Knot's expected outcomes from a .out file (OWNER/CLASS/RRTTL/RTYPE/RDATA blocks, WARNG/ERROR lines). */
export function knotOutcomes(name: string): Outcome[] {
  const text = readFileSync(join(KNOT_DIR, `${name}.out`), 'utf8');
  return text
    .split('------\n')
    .filter((b) => b.trim() !== '')
    .map((block) => {
      const f = Object.fromEntries(block.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
      if (f.WARNG ?? f.ERROR) return { error: f.WARNG ?? f.ERROR };
      return { owner: f.OWNER.toLowerCase(), ttl: parseInt(f.RRTTL, 16), type: parseInt(f.RTYPE, 16), rdata: (f.RDATA ?? '').toLowerCase() };
    });
}

/** Our outcomes for a .in file, in the same order and form (the zone is the root, so every owner is in it). */
export function ourOutcomes(name: string): Outcome[] {
  const out: (Outcome & { line: number })[] = [];
  parseZoneText(readFileSync(join(KNOT_DIR, `${name}.in`), 'utf8'), `${name}.in`, { origin: '', defaultTtl: undefined, lastTtl: undefined, previousOwner: undefined }, {
    zone: '',
    record: (r) => out.push({ line: r.line, owner: encodeName(r.name).toString('hex'), ttl: r.ttl, type: typeCode(r.data), rdata: encodeRdata(r.data).toString('hex') }),
    problem: (line, message) => out.push({ line, error: message }),
    include: (_path, _state, line) => out.push({ line, error: '$INCLUDE not used in this corpus' }),
  });
  return out.map(({ line: _line, ...o }) => o);
}
