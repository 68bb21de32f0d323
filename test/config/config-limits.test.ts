import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { seededRandom } from '../../load/hostile-packets.mjs';
import { DEFAULT_MAX_CONFIG_BYTES, parseByteSize } from '../../src/config/config-file.js';
import { loadConfigFile } from '../../src/config/load.js';
import { boundProblem, boundProblems, MAX_LISTED_PROBLEMS, MAX_PROBLEM_CHARS, quoteValue } from '../../src/config/problem-list.js';
import { ConfigError } from '../../src/shared/errors.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// A config file is read whole and parsed in memory, so its size is capped before it is read;
// what a refused file prints is bounded whatever the file holds (issue 15 item 4: a 50 MB
// file ran out of memory, 50 MB of random bytes printed a 124 MB error line).

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'geosteer-limits-'));
let files = 0;
const file = (content: string | Buffer) => {
  const path = join(dir, `config-${++files}.yaml`);
  writeFileSync(path, content);
  return path;
};

/** Runs the compiled CLI; resolves with its exit code and output (it never rejects). */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['dist/cli.js', ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const REFUSED = 'geosteer: refusing to start with an invalid config';

describe('config file size limit', () => {
  it('a file over the default 8 MiB is refused before it is read: exit 2, one line naming the file, its size and the limit', async () => {
    const big = file(Buffer.alloc(DEFAULT_MAX_CONFIG_BYTES + 1, ' '));
    const expected = [
      `${big}: 1 problem(s):`,
      `  ${big}: the file is 8388609 bytes (8.0 MiB), over the 8388608 bytes (8.0 MiB) limit for a config file; shrink it (large zones can live in zone files, zones[].file) or raise the limit with --max-config-size`,
      REFUSED,
      '',
    ].join('\n');
    for (const args of [['check-config', big], ['serve', '--config', big], ['explain', 'api.example.com', '--client', '192.0.2.1', '--config', big]]) {
      expect(await cli(...args)).toEqual({ code: 2, stdout: '', stderr: expected });
    }
  });

  it('--max-config-size sets the limit', async () => {
    const example = file(stringify({ ...exampleDocument(), admin: undefined }));
    const refused = await cli('check-config', example, '--max-config-size', '1KiB');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/: the file is \d+ bytes \(\d\.\d KiB\), over the 1024 bytes \(1\.0 KiB\) limit for a config file;/);
    const accepted = await cli('check-config', example, '--max-config-size', '64KiB');
    expect(accepted).toMatchObject({ code: 0, stderr: '' });
    expect(accepted.stdout).toContain(`${example}: OK`);
  });

  it('a bad --max-config-size is a usage error', async () => {
    const res = await cli('check-config', 'config/geosteer.example.yaml', '--max-config-size', '8 megs');
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe('geosteer: --max-config-size: expected a size like 16MiB, 512KiB or 1000000, got "8 megs"');
  });

  it.each([
    ['1000000', 1_000_000],
    ['512KiB', 512 * 1024],
    ['16MiB', 16 * 1024 ** 2],
    ['1gib', 1024 ** 3],
    ['0', undefined],
    ['-5', undefined],
    ['1.5MiB', undefined],
    ['16MB', undefined],
    ['', undefined],
  ])('parseByteSize(%j) is %j', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  describe('reload', () => {
    let server: TestServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it('a reload refuses a file grown past the limit serve was started with, and keeps serving the previous config', async () => {
      const path = file(stringify({ ...exampleDocument(), admin: undefined }));
      const limit = 16 * 1024;
      server = await startServer(await loadConfigFile(path, { maxBytes: limit }), { maxConfigBytes: limit });
      const before = server.snapshot().generation;
      appendFileSync(path, `# padding\n${'#'.repeat(limit)}\n`);
      const result = await server.service.reload('test');
      expect(result).toMatchObject({ ok: false, source: path });
      expect(!result.ok && result.problems).toEqual([expect.stringMatching(/^the file is \d+ bytes \(\d+\.\d KiB\), over the 16384 bytes \(16\.0 KiB\) limit for a config file;/)]);
      expect(server.snapshot().generation).toBe(before);
      expect(server.events.list({ type: 'config_rejected' })).toHaveLength(1);
    });
  });
});

describe('what a refused file prints is bounded', () => {
  it('50 MB of random bytes: exit 2 and three short lines (refused by size, not parsed)', async () => {
    const rand = seededRandom(15);
    const bytes = Buffer.alloc(50 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
    const path = file(bytes);
    const res = await cli('check-config', path);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      `${path}: 1 problem(s):\n  ${path}: the file is 52428800 bytes (50.0 MiB), over the 8388608 bytes (8.0 MiB) limit for a config file; shrink it (large zones can live in zone files, zones[].file) or raise the limit with --max-config-size\n${REFUSED}\n`,
    );
  });

  it('random bytes under the limit are refused as not UTF-8 text, in one line', async () => {
    const rand = seededRandom(16);
    const bytes = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
    const path = file(bytes);
    expect(await cli('check-config', path)).toEqual({
      code: 2,
      stdout: '',
      stderr: `${path}: 1 problem(s):\n  ${path}: the file is not UTF-8 text (a config file is YAML or JSON in UTF-8); is this the right file?\n${REFUSED}\n`,
    });
  });

  it('thousands of long problems: the first 50 listed, each cut, controls escaped, then "... and N more"; the header counts them all', async () => {
    // 3000 zones whose names hold a BEL and 1000 more characters, and a 1 MB string where regions should be a map
    const doc = { zones: Array.from({ length: 3000 }, () => ({ name: `\u0007x${'y'.repeat(1000)}` })), regions: 'q'.repeat(1_000_000) };
    const path = file(JSON.stringify(doc));
    const res = await cli('check-config', path);
    expect(res.code).toBe(2);
    const lines = res.stderr.split('\n');
    // one problem per zone name, one for regions
    expect(lines[0]).toBe(`${path}: 3001 problem(s):`);
    expect(lines).toHaveLength(1 + MAX_LISTED_PROBLEMS + 1 + 2);
    expect(lines[1]).toMatch(/^ {2}\S+: zones\[0\]\.name: "\\u0007", which must be escaped .*yyy\.\.\. \(\d+ more characters\)$/);
    expect(lines[1 + MAX_LISTED_PROBLEMS]).toBe(`  ${path}: ... and 2951 more problem(s) not listed; fix these and check again`);
    expect(lines.at(-2)).toBe(REFUSED);
    for (const line of lines.slice(1, 1 + MAX_LISTED_PROBLEMS)) {
      expect(line.length).toBeLessThan(`  ${path}: `.length + MAX_PROBLEM_CHARS + 40);
      expect(line).not.toMatch(/[\u0000-\u001f]/);
    }
    expect(res.stderr).toContain('\\u0007');
    expect(res.stderr.length).toBeLessThan(30_000);
  });
});

describe('problem text helpers', () => {
  it('boundProblem cuts long text and says how much, escaping controls and lone surrogates', () => {
    expect(boundProblem('zones[0].name: bad')).toBe('zones[0].name: bad');
    expect(boundProblem(`a\u001b[2Jb\u0000\ud800c\u{1f600}`)).toBe('a\\u001b[2Jb\\u0000\\ud800c\u{1f600}');
    const long = boundProblem('x'.repeat(MAX_PROBLEM_CHARS + 1234));
    expect(long).toBe(`${'x'.repeat(MAX_PROBLEM_CHARS)}... (1234 more characters)`);
  });

  it('boundProblems lists the first 50 of the total', () => {
    const many = Array.from({ length: 120 }, (_, i) => `p${i}`);
    expect(boundProblems(many)).toEqual([...many.slice(0, 50), '... and 70 more problem(s) not listed; fix these and check again']);
    expect(boundProblems(many.slice(0, 50), 51)).toEqual([...many.slice(0, 50), '... and 1 more problem(s) not listed; fix these and check again']);
    expect(boundProblems(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('quoteValue keeps short values whole and cuts long ones', () => {
    expect(quoteValue('heavy')).toBe('"heavy"');
    expect(quoteValue({ a: 1 })).toBe('{"a":1}');
    expect(quoteValue('q'.repeat(200))).toBe(`"${'q'.repeat(79)}... (202 characters)`);
  });

  it('the loader reports a huge wrong value in a few dozen characters', async () => {
    const path = file(JSON.stringify({ ...exampleDocument(), regions: ['r'.repeat(100_000)] }));
    const err = await loadConfigFile(path).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([`regions: expected record, got ["${'r'.repeat(78)}... (100004 characters)`]);
  });
});
