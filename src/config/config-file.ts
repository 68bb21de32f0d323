import { open } from 'node:fs/promises';
import { ConfigError, GeosteerError } from '../shared/errors.js';

// Reading the config file, bounded: the whole file is parsed in memory (the YAML parser
// holds about 150 bytes per byte of input at its peak), so an oversized file is refused
// before it is read instead of taking the process down with it.

/** The default limit on a config file's size: 8 MiB, room for tens of thousands of records (a 5 MB config starts in a few seconds). */
export const DEFAULT_MAX_CONFIG_BYTES = 8 * 1024 * 1024;

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Bytes for a size like "8MiB", "512KiB" or "1000000"; undefined when it is not one (or is 0). */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+)\s*(b|kib|mib|gib)?$/i.exec(text.trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()];
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** "52428800 bytes (50.0 MiB)": exact, and readable. */
export function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [unit, size] = bytes < 1024 ** 2 ? ['KiB', 1024] : bytes < 1024 ** 3 ? ['MiB', 1024 ** 2] : ['GiB', 1024 ** 3];
  return `${bytes} bytes (${(bytes / (size as number)).toFixed(1)} ${unit as string})`;
}

function tooLarge(path: string, bytes: number, maxBytes: number, atLeast: boolean): ConfigError {
  return new ConfigError(path, [
    `the file is ${atLeast ? 'more than ' : ''}${describeBytes(bytes)}, over the ${describeBytes(maxBytes)} limit for a config file; shrink it (large zones can live in zone files, zones[].file) or raise the limit with --max-config-size`,
  ]);
}

/**
 * The text of the config file at `path`: refused (ConfigError) when it is larger than
 * `maxBytes` or is not UTF-8 text; GeosteerError CONFIG_UNREADABLE when it cannot be read.
 * The size is checked before reading and again while reading, so a file that grows or a
 * pipe cannot get past the limit.
 */
export async function readConfigText(path: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) throw tooLarge(path, size, maxBytes, false);
      for (;;) {
        const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        total += bytesRead;
        if (total > maxBytes) throw tooLarge(path, maxBytes, maxBytes, true);
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new GeosteerError('CONFIG_UNREADABLE', `${path}: cannot read config file: ${(err as Error).message}`, { cause: err });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, total));
  } catch {
    throw new ConfigError(path, ['the file is not UTF-8 text (a config file is YAML or JSON in UTF-8); is this the right file?']);
  }
}
