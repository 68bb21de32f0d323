import { readFileSync } from 'node:fs';

// Just enough of sh to read the README's command blocks: fenced ```sh blocks by section,
// lines joined at a trailing backslash, comments split off, one-line `for` loops unrolled,
// commands split at ; && and & (background), pipes kept together, words split with quotes.

/** One ```sh block and the "## " section it is in. */
export interface ShBlock {
  readonly section: string;
  readonly line: number;
  readonly text: string;
}

/** One simple command of a block: its words (pipes as "|"), its line, the comment of its line, and whether it runs in the background. */
export interface ShCommand {
  readonly words: readonly string[];
  readonly line: number;
  readonly comment: string;
  readonly background: boolean;
}

/** The ```sh blocks of a Markdown file, with the heading above each. */
export function shBlocks(path: string): ShBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: ShBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('## ')) section = lines[i].slice(3);
    if (lines[i] !== '```sh') continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1] !== '```') i++;
    blocks.push({ section, line: start + 1, text: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return blocks;
}

/** Splits `text` into [code, comment] at the first # that starts a word outside quotes. */
function splitComment(text: string): [string, string] {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) return [text.slice(0, i).trimEnd(), text.slice(i + 1).trim()];
  }
  return [text.trimEnd(), ''];
}

/** Words of a command line, quotes removed; ; && & and | as words of their own. */
function tokenize(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  const flush = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '$' && text[i + 1] === '(') {
      const end = text.indexOf(')', i);
      word = (word ?? '') + text.slice(i, end + 1);
      i = end;
    } else if (/\s/.test(c)) flush();
    else if (c === ';' || c === '|' || c === '&') {
      flush();
      const two = text.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        words.push(two);
        i++;
      } else words.push(c);
    } else word = (word ?? '') + c;
  }
  flush();
  return words;
}

/** Unrolls `for VAR in WORDS; do BODY; done` (nested too; `$(seq N)` runs the body once). */
function unroll(words: string[]): string[][] {
  if (words[0] !== 'for') return [words];
  const doAt = words.indexOf('do');
  const variable = words[1];
  const values = words.slice(3, doAt).filter((w) => w !== ';');
  let depth = 0;
  let doneAt = -1;
  for (let i = doAt; i < words.length; i++) {
    if (words[i] === 'do') depth++;
    if (words[i] === 'done' && --depth === 0) {
      doneAt = i;
      break;
    }
  }
  if (doAt === -1 || doneAt === -1) throw new Error(`a for loop without do ... done: ${words.join(' ')}`);
  const body = words.slice(doAt + 1, doneAt);
  const runs = values.length === 1 && values[0].startsWith('$(seq') ? [undefined] : values;
  const out: string[][] = [];
  for (const v of runs) {
    const substituted = body.map((w) => (v === undefined ? w : w.replaceAll(`$${variable}`, v)));
    for (const part of splitCommands(substituted)) out.push(...unroll(part));
  }
  return [...out, ...splitCommands(words.slice(doneAt + 1)).flatMap(unroll)];
}

/** Splits words at ; && || and & (marking the command before & as background). */
function splitCommands(words: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let depth = 0;
  for (const w of words) {
    if (w === 'for') depth++;
    if (w === 'done') depth--;
    if (depth === 0 && (w === ';' || w === '&&' || w === '||' || w === '&')) {
      if (current.length > 0) out.push(w === '&' ? [...current, '&'] : current);
      current = [];
    } else current.push(w);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Loops opened and not closed in `code` (for ... do without its done). */
function loopDepth(code: string): number {
  const words = tokenize(code);
  return words.filter((w) => w === 'do').length - words.filter((w) => w === 'done').length;
}

/** The simple commands of a block, in order. */
export function shCommands(block: ShBlock): ShCommand[] {
  const out: ShCommand[] = [];
  const lines = block.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = block.line + i;
    let text = lines[i];
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i].trim()}`;
    let [code, comment] = splitComment(text);
    // a loop over several lines: its body up to the matching done, as one line
    while (loopDepth(code) > 0 && i + 1 < lines.length) code = `${code}; ${splitComment(lines[++i])[0].trim()}`;
    if (code === '') continue;
    for (const command of splitCommands(tokenize(code)).flatMap(unroll)) {
      const background = command[command.length - 1] === '&';
      out.push({ words: background ? command.slice(0, -1) : command, line, comment, background });
    }
  }
  return out;
}

/** The value after `flag` in `words` (e.g. -X PUT), if any. */
export function option(words: readonly string[], ...flags: string[]): string | undefined {
  const i = words.findIndex((w) => flags.includes(w));
  return i === -1 ? undefined : words[i + 1];
}
