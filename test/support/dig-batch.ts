import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Many queries through one dig process (batch mode, -f): dig encodes the queries and
// decodes the replies with its own code, and prints them in presentation form, the same
// for any server, so answers from two servers compare as text.

const run = promisify(execFile);

/** One query of a batch; `options` are dig query options for it alone (+noedns, +ignore, ...). */
export interface DigQuery {
  readonly name: string;
  readonly type: string;
  readonly options?: readonly string[];
}

/** A reply as dig printed it: header fields and each section's records, normalised and sorted. */
export interface DigReply {
  readonly question: string;
  readonly status: string;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  readonly additional: readonly string[];
  /** Octets of the reply. */
  readonly size: number;
  /** The ECS option of the reply as dig prints it, ADDRESS/SOURCE/SCOPE (RFC 7871 6). */
  readonly clientSubnet: string | undefined;
}

/** A record line with the owner in lower case and single spaces (names compare case-insensitively, RFC 4343). */
function normalised(line: string): string {
  const [owner, ...rest] = line.trim().split(/\s+/);
  return [owner.toLowerCase(), ...rest].join(' ');
}

function parseBlock(block: string): DigReply {
  const sections: Record<string, string[]> = { QUESTION: [], ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let current: string[] | undefined;
  let status = '';
  let flags: string[] = [];
  let size = -1;
  let clientSubnet: string | undefined;
  for (const line of block.split('\n')) {
    const header = /status: (\w+)/.exec(line);
    if (header) status = header[1];
    const f = /^;; flags: ([^;]*);/.exec(line);
    if (f) flags = f[1].trim().split(/\s+/);
    const s = /^;; MSG SIZE\s+rcvd: (\d+)/.exec(line);
    if (s) size = Number(s[1]);
    const ecs = /^; CLIENT-SUBNET: (\S+)/.exec(line);
    if (ecs) clientSubnet = ecs[1];
    const section = /^;; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (section) current = sections[section[1]];
    else if (line.trim() === '') current = undefined;
    else if (current === sections.QUESTION) current.push(normalised(line.slice(1)));
    else if (current !== undefined && !line.startsWith(';')) current.push(normalised(line));
  }
  return {
    question: sections.QUESTION[0] ?? '',
    status,
    aa: flags.includes('aa'),
    tc: flags.includes('tc'),
    answer: sections.ANSWER.sort(),
    authority: sections.AUTHORITY.sort(),
    additional: sections.ADDITIONAL.sort(),
    size,
    clientSubnet,
  };
}

/** Sends `queries` to 127.0.0.1:`port` over `transport` with one dig process; replies in query order. */
export async function digBatch(port: number, queries: readonly DigQuery[], transport: 'udp' | 'tcp'): Promise<DigReply[]> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-dig-'));
  try {
    const file = join(dir, 'queries');
    writeFileSync(file, queries.map((q) => [q.name, q.type, ...(q.options ?? [])].join(' ')).join('\n') + '\n');
    const options = ['+norec', '+nocookie', '+noall', '+comments', '+question', '+answer', '+authority', '+additional', '+stats', '+tries=1', '+time=2'];
    // dig 9.18 applies +tcp in a batch file only from the command line
    const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), ...options, ...(transport === 'tcp' ? ['+tcp'] : []), '-f', file], { maxBuffer: 16 * 1024 * 1024 });
    const replies = stdout.split(';; Got answer:').slice(1).map(parseBlock);
    if (replies.length !== queries.length) throw new Error(`dig printed ${replies.length} replies to ${queries.length} queries on port ${port}:\n${stdout}`);
    replies.forEach((r, i) => {
      const asked = `${queries[i].name.toLowerCase()}. IN ${queries[i].type}`;
      if (r.question !== asked) throw new Error(`reply ${i} is for "${r.question}", expected "${asked}"`);
    });
    return replies;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
