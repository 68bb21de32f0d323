import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseZoneText, type ParseState, type ZoneFileRecord } from './parser.js';

// Reads a zone file and its $INCLUDEs. Every path, the zone file's own and each $INCLUDE,
// is relative to the config file's folder (as BIND and NSD take them relative to their
// working directory) and must stay inside it, symlinks resolved: a config cannot be made to
// read /etc/shadow. Includes nest at most MAX_INCLUDE_DEPTH deep and never loop.

/** How deep $INCLUDE may nest. */
export const MAX_INCLUDE_DEPTH = 8;
/** Problems listed per zone file before the rest are only counted. */
export const MAX_PROBLEMS = 50;

/** Reads a file's text; throws when it cannot (tests and DNS workers may read from memory). */
export type ReadText = (absolutePath: string) => string;

/** Where a zone file is and what it must contain. */
export interface ZoneFileSource {
  /** Canonical zone name; records outside it are refused. */
  readonly zone: string;
  /** The path as written in the config (zones[].file). */
  readonly file: string;
  /** The config file's folder: paths are relative to it and may not leave it. */
  readonly baseDir: string;
  /** The folder messages show paths relative to (the config's own path as the operator gave it). */
  readonly displayDir: string;
  readonly read?: ReadText;
}

/** Records, every problem as `file:line: what is wrong`, and every file read (absolute). */
export interface ZoneFileResult {
  readonly records: ZoneFileRecord[];
  readonly problems: string[];
  readonly files: string[];
}

const defaultRead: ReadText = (path) => readFileSync(path, 'utf8');

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Loads `source.file` with origin = the zone name. Never throws for bad input: everything is in `problems`. */
export function loadZoneFile(source: ZoneFileSource): ZoneFileResult {
  const read = source.read ?? defaultRead;
  const base = resolve(source.baseDir);
  const realBase = realOrSelf(base);
  const records: ZoneFileRecord[] = [];
  const problems: string[] = [];
  const files: string[] = [];
  let hidden = 0;
  const stack: string[] = [];

  const report = (message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(message);
    else hidden++;
  };

  /** The absolute path of `written`, or the reason it may not be read. */
  const locate = (written: string): string | { problem: string } => {
    const abs = resolve(base, written);
    const inside = (root: string, p: string) => {
      const rel = relative(root, p);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    };
    if (!inside(base, abs) || !inside(realBase, realOrSelf(abs))) {
      return { problem: `${JSON.stringify(written)} is outside the config's folder ${base}; zone files and $INCLUDEs must be inside it` };
    }
    return abs;
  };

  const visit = (written: string, state: ParseState, from: string, depth: number): void => {
    const abs = locate(written);
    if (typeof abs !== 'string') return report(`${from}${abs.problem}`);
    const shown = join(source.displayDir, relative(base, abs));
    const real = realOrSelf(abs);
    if (stack.includes(real)) return report(`${from}$INCLUDE of ${shown} loops back to a file that is already being read`);
    if (depth > MAX_INCLUDE_DEPTH) return report(`${from}$INCLUDE nests more than ${MAX_INCLUDE_DEPTH} deep; flatten the includes`);
    let text: string;
    try {
      text = read(abs);
    } catch (err) {
      return report(`${from}cannot read ${shown}: ${(err as Error).message}`);
    }
    files.push(abs);
    stack.push(real);
    parseZoneText(text, shown, state, {
      zone: source.zone,
      record: (r) => records.push(r),
      problem: (line, message) => report(`${shown}:${line}: ${message}`),
      include: (path, sub, line) => visit(path.text, sub, `${shown}:${line}: `, depth + 1),
    });
    stack.pop();
  };

  visit(source.file, { origin: source.zone, defaultTtl: undefined, lastTtl: undefined, previousOwner: undefined }, '', 0);
  if (hidden > 0) problems.push(`... and ${hidden} more problem(s) in ${source.file} not listed`);
  return { records, problems, files };
}
