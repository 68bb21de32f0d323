import type { Stats } from 'node:fs';

/** Identity of a file's content as far as stat can tell; changes on rename-over and on rewrite. */
export interface FileSignature {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** The signature of a stat result. */
export function fileSignatureOf(stats: Stats): FileSignature {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

/** True when both describe the same file content (undefined never matches). */
export function sameFileSignature(a: FileSignature | undefined, b: FileSignature | undefined): boolean {
  return (
    a !== undefined && b !== undefined &&
    a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs
  );
}
