// Splits RFC 1035 5.1 master-file text into entries: one entry per record or directive,
// with parentheses joining lines, ";" comments dropped, quoted strings kept whole (they may
// span lines inside parentheses, as Knot allows) and backslash escapes left in the token
// text for the field parsers, which know whether an escape means an octet of a name or of a
// character-string. YAML record values go through the same tokenizer as one line.

/** One field of an entry: its text with the quote characters removed and escapes kept as written. */
export interface Token {
  readonly text: string;
  /** Some part of it was inside double quotes. */
  readonly quoted: boolean;
  readonly line: number;
}

/** A record or directive line, with the line it starts on. */
export interface Entry {
  readonly line: number;
  /** The line began with a space or tab: the record belongs to the previous owner (RFC 1035 5.1). */
  readonly blankOwner: boolean;
  readonly tokens: readonly Token[];
}

/** A line the tokenizer could not read; the entry it was in is dropped. */
export interface TokenProblem {
  readonly line: number;
  readonly problem: string;
}

const isBlank = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r';
const endsField = (ch: string) => isBlank(ch) || ch === '\n' || ch === ';' || ch === '(' || ch === ')';

/** Yields the entries of `text` in order, and a problem in place of each entry it could not read. */
export function* tokenize(text: string): Generator<Entry | TokenProblem> {
  let i = 0;
  let line = 1;
  let depth = 0;
  let tokens: Token[] = [];
  let entryLine = 1;
  let blankOwner = false;
  let broken: TokenProblem | undefined;
  let atLineStart = true;

  const finish = (): Entry | TokenProblem | undefined => {
    const out = broken ?? (tokens.length > 0 ? { line: entryLine, blankOwner, tokens } : undefined);
    tokens = [];
    broken = undefined;
    depth = 0;
    return out;
  };

  while (i < text.length) {
    const ch = text[i];
    if (atLineStart && depth === 0 && tokens.length === 0 && broken === undefined) {
      blankOwner = isBlank(ch);
      entryLine = line;
    }
    atLineStart = false;
    if (ch === '\n') {
      i++;
      line++;
      atLineStart = true;
      if (depth === 0) {
        const out = finish();
        if (out) yield out;
      }
      continue;
    }
    if (isBlank(ch)) {
      i++;
      continue;
    }
    if (ch === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (broken) {
      // skip the rest of a broken entry up to the end of its line
      i++;
      continue;
    }
    if (ch === '(') {
      if (depth > 0) broken = { line, problem: 'nested parentheses; close the first "(" before opening another' };
      depth = 1;
      i++;
      continue;
    }
    if (ch === ')') {
      if (depth === 0) broken = { line, problem: '")" without an opening "("' };
      depth = 0;
      i++;
      continue;
    }
    const start = line;
    let raw = '';
    let quoted = false;
    let inQuote = false;
    let problem: string | undefined;
    while (i < text.length) {
      const c = text[i];
      if (inQuote) {
        if (c === '"') {
          inQuote = false;
          i++;
          const after = text[i];
          // RFC 1035 5.1: a quoted string is a whole field
          if (after !== undefined && !endsField(after)) {
            problem = 'text right after a closing quote; separate strings with a space, or escape the quote as \\"';
          }
          break;
        }
        if (c === '\n') {
          if (depth === 0) break;
          line++;
        }
      } else if (c === '"') {
        // a value may be quoted after "key=" (RFC 9460 2.1); elsewhere quotes open a whole field
        if (raw !== '' && !raw.endsWith('=')) {
          problem = 'a double quote inside a word; escape it as \\" or quote the whole field';
          break;
        }
        inQuote = true;
        quoted = true;
        i++;
        continue;
      } else if (endsField(c)) {
        break;
      }
      // an escape keeps both characters; a backslash at the end of a line escapes nothing
      if (c === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
        raw += c + text[i + 1];
        i += 2;
        continue;
      }
      raw += c;
      i++;
    }
    if (problem) {
      broken = { line: start, problem };
      continue;
    }
    if (inQuote) {
      broken = { line: start, problem: 'a quoted string is not closed on its line (a string may span lines only inside parentheses)' };
      continue;
    }
    tokens.push({ text: raw, quoted, line: start });
  }
  if (depth > 0 && !broken) broken = { line: entryLine, problem: '"(" is never closed' };
  const out = finish();
  if (out) yield out;
}

/** The tokens of a one-line value (a YAML record value), or the problem reading it. */
export function tokenizeValue(value: string): readonly Token[] | string {
  const out: Token[] = [];
  for (const item of tokenize(value.replace(/\n/g, ' '))) {
    if ('problem' in item) return item.problem;
    out.push(...item.tokens);
  }
  return out;
}
