import { isInZone, parseName } from '../names.js';
import { parseTtl } from '../rdata/fields.js';
import { parseRdata } from '../rdata/rdata.js';
import type { AnyRecordData } from '../rdata/record-data.js';
import { parseTypeRef } from '../rdata/type-codes.js';
import { tokenize, type Token } from './tokenizer.js';

// Turns the entries of one master file (RFC 1035 5.1) into records: directives $ORIGIN,
// $TTL (RFC 2308 4) and $INCLUDE, blank owner = previous owner, optional TTL and class in
// either order, relative names and "@". TTLs follow BIND: the record's own, else $TTL,
// else the last TTL given (RFC 1035 5.1), else an SOA without a TTL takes its MINIMUM and
// that becomes the default.

/** One record read from a zone file. */
export interface ZoneFileRecord {
  readonly name: string;
  readonly ttl: number;
  readonly data: AnyRecordData;
  /** The file as shown in messages, and the line the record starts on. */
  readonly file: string;
  readonly line: number;
}

/** The state a file is read in; $INCLUDE hands a copy to the included file (RFC 1035 5.1: it does not change the parent's). */
export interface ParseState {
  origin: string;
  defaultTtl: number | undefined;
  lastTtl: number | undefined;
  /** The previous owner; null when the previous owner field was invalid. */
  previousOwner: string | null | undefined;
}

/** What the parser needs from the loader around it. */
export interface ParseHooks {
  /** The zone the records must be in (canonical). */
  readonly zone: string;
  record(record: ZoneFileRecord): void;
  problem(line: number, message: string): void;
  /** Reads `$INCLUDE path [origin]` at `line` with a copy of the current state. */
  include(path: Token, state: ParseState, line: number): void;
}

const CLASS = /^(IN|CH|CS|HS|CLASS\d{1,5})$/i;

function directive(tokens: readonly Token[], state: ParseState, hooks: ParseHooks, line: number): void {
  const name = tokens[0].text.toUpperCase();
  const args = tokens.slice(1);
  switch (name) {
    case '$ORIGIN': {
      if (args.length !== 1) return hooks.problem(line, '$ORIGIN takes one domain name');
      const origin = parseName(args[0].text, { origin: state.origin, relative: 'origin', wildcard: false });
      if ('problem' in origin) return hooks.problem(line, `$ORIGIN: ${origin.problem}`);
      state.origin = origin.name;
      return;
    }
    case '$TTL': {
      if (args.length !== 1) return hooks.problem(line, '$TTL takes one TTL, like $TTL 3600 or $TTL 1h');
      const ttl = parseTtl(args[0].text, 'the $TTL');
      if (typeof ttl === 'string') return hooks.problem(line, ttl);
      state.defaultTtl = ttl;
      return;
    }
    case '$INCLUDE': {
      if (args.length < 1 || args.length > 2) return hooks.problem(line, '$INCLUDE takes a file name and an optional origin');
      const sub: ParseState = { ...state };
      if (args[1]) {
        const origin = parseName(args[1].text, { origin: state.origin, relative: 'origin', wildcard: false });
        if ('problem' in origin) return hooks.problem(line, `$INCLUDE origin: ${origin.problem}`);
        sub.origin = origin.name;
      }
      return hooks.include(args[0], sub, line);
    }
    case '$GENERATE':
      return hooks.problem(line, '$GENERATE is a BIND extension geosteer does not read; expand it into records');
    default:
      return hooks.problem(line, `unknown directive ${tokens[0].text}; known: $ORIGIN, $TTL, $INCLUDE`);
  }
}

/** Reads one file's text in `state` (changed as directives go by), reporting records and problems through `hooks`. */
export function parseZoneText(text: string, file: string, state: ParseState, hooks: ParseHooks): void {
  for (const entry of tokenize(text)) {
    if ('problem' in entry) {
      hooks.problem(entry.line, entry.problem);
      continue;
    }
    const { tokens, line } = entry;
    if (!entry.blankOwner && tokens[0].text.startsWith('$') && !tokens[0].quoted) {
      directive(tokens, state, hooks, line);
      continue;
    }
    let i = 0;
    let owner: string;
    if (entry.blankOwner) {
      if (state.previousOwner === undefined) {
        hooks.problem(line, 'the line starts with a blank, which means "same owner as the previous record", but there is none yet');
        continue;
      }
      if (state.previousOwner === null) {
        hooks.problem(line, 'the line starts with a blank (same owner as before), and the previous owner was invalid');
        continue;
      }
      owner = state.previousOwner;
    } else {
      const parsed = parseName(tokens[0].text, { origin: state.origin, relative: 'origin', wildcard: true });
      if ('problem' in parsed) {
        state.previousOwner = null;
        hooks.problem(line, `owner: ${parsed.problem}`);
        continue;
      }
      owner = parsed.name;
      state.previousOwner = owner;
      i = 1;
    }
    // TTL and class are both optional and may come in either order (RFC 1035 5.1)
    let ttl: number | undefined;
    let klass: string | undefined;
    let bad: string | undefined;
    while (i < tokens.length && !bad) {
      const t = tokens[i].text;
      if (ttl === undefined && /^\d/.test(t)) {
        const parsed = parseTtl(t);
        if (typeof parsed === 'string') bad = parsed;
        else ttl = parsed;
      } else if (klass === undefined && CLASS.test(t)) {
        klass = t.toUpperCase();
      } else {
        break;
      }
      i++;
    }
    if (bad) {
      hooks.problem(line, bad);
      continue;
    }
    if (klass !== undefined && klass !== 'IN' && klass !== 'CLASS1') {
      hooks.problem(line, `class ${klass} is not served: geosteer serves class IN only; remove the record or its class`);
      continue;
    }
    if (i >= tokens.length) {
      hooks.problem(line, `expected a record type after ${JSON.stringify(tokens.map((t) => t.text).join(' '))}`);
      continue;
    }
    const type = parseTypeRef(tokens[i].text);
    if (typeof type === 'string') {
      hooks.problem(line, type);
      continue;
    }
    const data = parseRdata(type, tokens.slice(i + 1), { origin: state.origin, relative: 'origin', wildcard: false });
    if (typeof data === 'string') {
      hooks.problem(line, `${tokens[i].text.toUpperCase()}: ${data}`);
      continue;
    }
    if (!isInZone(owner, hooks.zone)) {
      hooks.problem(line, `${owner || '.'} is outside zone ${hooks.zone}; check $ORIGIN and names that end with a dot`);
      continue;
    }
    if (ttl !== undefined) state.lastTtl = ttl;
    else if (state.defaultTtl !== undefined) ttl = state.defaultTtl;
    else if (state.lastTtl !== undefined) ttl = state.lastTtl;
    else if (data.type === 'SOA') ttl = state.defaultTtl = data.minimum;
    else {
      hooks.problem(line, 'no TTL for this record: give one on the record or a $TTL line before it');
      continue;
    }
    hooks.record({ name: owner, ttl, data, file, line });
  }
}
