import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What dig printed about one reply, as fields. */
export interface DigReply {
  readonly opcode: string;
  /** NOERROR, NXDOMAIN, REFUSED, NOTIMP, FORMERR, NOTAUTH, BADCOOKIE, ... */
  readonly status: string;
  readonly flags: readonly string[];
  readonly counts: { readonly query: number; readonly answer: number; readonly authority: number; readonly additional: number };
  /** Whether the reply had an OPT record. */
  readonly edns: boolean;
  /** The NSID payload as text (dig's quoted rendering), when present. */
  readonly nsid: string | undefined;
  /** The COOKIE option as hex (client cookie, then the server cookie), when present. */
  readonly cookie: string | undefined;
  /** CLIENT-SUBNET as dig prints it: address/source/scope. */
  readonly subnet: string | undefined;
  /** The answer section's records, one line each, fields separated by single spaces. */
  readonly answers: readonly string[];
  /** The TSIG pseudo-section's record, when present. */
  readonly tsig: string | undefined;
  /** The question as dig printed it ("name. IN TYPE"), the owner in lower case. */
  readonly question: string;
  /** Each section's records, owners in lower case, single spaces, sorted: replies compare as sets. */
  readonly sections: { readonly answer: readonly string[]; readonly authority: readonly string[]; readonly additional: readonly string[] };
  /** Octets of the reply (dig's MSG SIZE line), -1 when dig did not print it. */
  readonly size: number;
  readonly text: string;
}

/** A record line with the owner in lower case and single spaces (names compare case-insensitively, RFC 4343). */
function normalised(line: string): string {
  const [owner, ...rest] = line.trim().split(/\s+/);
  return [owner.toLowerCase(), ...rest].join(' ');
}

/** The records of each section dig printed, in the order printed. */
function sectionLines(reply: string): Record<'QUESTION' | 'ANSWER' | 'AUTHORITY' | 'ADDITIONAL', string[]> {
  const sections = { QUESTION: [] as string[], ANSWER: [] as string[], AUTHORITY: [] as string[], ADDITIONAL: [] as string[] };
  let current: string[] | undefined;
  for (const line of reply.split('\n')) {
    const section = /^;; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (section) current = sections[section[1] as keyof typeof sections];
    else if (line.trim() === '') current = undefined;
    else if (current === sections.QUESTION) current.push(line.slice(1));
    else if (current !== undefined && !line.startsWith(';')) current.push(line);
  }
  return sections;
}

/** Parses what dig printed about one reply, from its ";; ->>HEADER<<-" line on; `text` is kept as given. */
export function parseDigReply(reply: string, text = reply): DigReply {
  const header = /opcode: (\S+), status: (\S+), id: \d+\n;; flags:([^;]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)/.exec(reply);
  if (!header) throw new Error(`dig printed no reply header:\n${text}`);
  const lines = sectionLines(reply);
  const tsig = /;; TSIG PSEUDOSECTION:\n(.+)/.exec(reply);
  return {
    opcode: header[1],
    status: header[2],
    flags: header[3].trim().split(/\s+/).filter((f) => f !== ''),
    counts: { query: Number(header[4]), answer: Number(header[5]), authority: Number(header[6]), additional: Number(header[7]) },
    edns: reply.includes(';; OPT PSEUDOSECTION:'),
    nsid: /; NSID: [^(]*\("(.*)"\)/.exec(reply)?.[1],
    cookie: /; COOKIE: ([0-9a-f]+)/.exec(reply)?.[1],
    subnet: /; CLIENT-SUBNET: (\S+)/.exec(reply)?.[1],
    answers: lines.ANSWER.map((l) => l.split(/\s+/).join(' ')),
    tsig: tsig?.[1].trim().split(/\s+/).join(' '),
    question: lines.QUESTION.length > 0 ? normalised(lines.QUESTION[0]) : '',
    sections: { answer: lines.ANSWER.map(normalised).sort(), authority: lines.AUTHORITY.map(normalised).sort(), additional: lines.ADDITIONAL.map(normalised).sort() },
    size: Number(/^;; MSG SIZE\s+rcvd: (\d+)/m.exec(reply)?.[1] ?? -1),
    text,
  };
}

/** Runs dig against 127.0.0.1:`port` with `args` (query options, name, type...) and parses what it printed about the reply. */
export async function dig(port: number, args: readonly string[]): Promise<DigReply> {
  const { stdout: text } = await run('dig', ['@127.0.0.1', '-p', String(port), '+norecurse', '+time=2', '+tries=1', '+nocmd', '+nostats', ...args]);
  // with +qr (or a BADCOOKIE retry) dig prints more than one message: the reply is the last "Got answer"
  return parseDigReply(text.slice(text.lastIndexOf(';; ->>HEADER<<-')), text);
}
