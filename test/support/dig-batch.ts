import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseDigReply } from './dig.js';

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

/** A reply as dig printed it: header fields and each section's records, normalised and sorted (dig.ts sections). */
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

/** The fields two servers' replies are compared by, from dig.ts's one parser of dig's output. */
function comparable(block: string): DigReply {
  const r = parseDigReply(block);
  return { question: r.question, status: r.status, aa: r.flags.includes('aa'), tc: r.flags.includes('tc'), ...r.sections, size: r.size, clientSubnet: r.subnet };
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
    const replies = stdout.split(';; Got answer:').slice(1).map(comparable);
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
