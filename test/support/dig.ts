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
  readonly text: string;
}

/** Runs dig against 127.0.0.1:`port` with `args` (query options, name, type...) and parses what it printed about the reply. */
export async function dig(port: number, args: readonly string[]): Promise<DigReply> {
  const { stdout: text } = await run('dig', ['@127.0.0.1', '-p', String(port), '+norecurse', '+time=2', '+tries=1', '+nocmd', '+nostats', ...args]);
  // with +qr (or a BADCOOKIE retry) dig prints more than one message: the reply is the last "Got answer"
  const reply = text.slice(text.lastIndexOf(';; ->>HEADER<<-'));
  const header = /opcode: (\S+), status: (\S+), id: \d+\n;; flags:([^;]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)/.exec(reply);
  if (!header) throw new Error(`dig printed no reply header:\n${text}`);
  const answerSection = /;; ANSWER SECTION:\n([\s\S]*?)(?:\n\n|$)/.exec(reply);
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
    answers: answerSection ? answerSection[1].split('\n').filter((l) => l !== '').map((l) => l.split(/\s+/).join(' ')) : [],
    tsig: tsig?.[1].trim().split(/\s+/).join(' '),
    text,
  };
}
