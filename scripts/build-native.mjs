#!/usr/bin/env node
// `npm ci` runs this (the package's install script): compiles the native UDP fast path
// (native/, binding.gyp) into build/Release/geosteer_udp.node with node-gyp, the tool npm
// ships for native addons, against the headers of the node running it (include/node beside
// the binary), so nothing is downloaded. A failed build never fails the install: geosteer
// then serves UDP through node:dgram and says so in its start log.
//   node scripts/build-native.mjs [--strict]   (--strict: exit 1 when the build fails)
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

/** node-gyp: the one npm passes to install scripts, else the one inside npm beside this node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  return candidates.find((c) => c && existsSync(c));
}

/** The running node's install prefix when it has the headers an addon needs (node_api.h, uv.h). */
function nodeDir() {
  const prefix = join(dirname(process.execPath), '..');
  const include = join(prefix, 'include/node');
  return existsSync(join(include, 'node_api.h')) && existsSync(join(include, 'uv.h')) ? prefix : undefined;
}

function skip(reason) {
  console.warn(`geosteer: native UDP fast path NOT built: ${reason}. UDP will use node:dgram (slower, same answers).`);
  process.exit(strict ? 1 : 0);
}

if (process.env.GEOSTEER_SKIP_NATIVE === '1') skip('GEOSTEER_SKIP_NATIVE=1');
if (process.platform !== 'linux') skip(`recvmmsg/sendmmsg are Linux-only (this is ${process.platform})`);
const gyp = nodeGyp();
if (!gyp) skip('node-gyp not found (it ships with npm)');
const nodedir = nodeDir();
if (!nodedir) skip(`no headers beside ${process.execPath} (include/node/node_api.h and uv.h)`);
// a stale addon from an earlier build must not be loaded after a failed rebuild
rmSync(join(ROOT, 'build'), { recursive: true, force: true });
const result = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'], { cwd: ROOT, stdio: 'inherit' });
if (result.status !== 0) skip(`node-gyp rebuild failed (${result.error?.message ?? `exit ${result.status}`}; a C compiler, make and python3 are needed)`);
console.log(`geosteer: native UDP fast path built: build/Release/geosteer_udp.node (headers from ${nodedir})`);
