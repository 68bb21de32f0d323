import { readFileSync } from 'node:fs';

/** geosteer's version, from the package.json shipped beside dist/ and src/. */
export const GEOSTEER_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
