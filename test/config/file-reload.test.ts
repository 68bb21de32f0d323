import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import type { GeosteerEvent } from '../../src/events/event-log.js';
import { configFilesInput } from '../../src/service/config-files-watch.js';
import { silentLogger } from '../../src/shared/logger.js';
import { ask } from '../support/dns-client.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// A change to the config file, a zone file or an $INCLUDE reloads the service, as SIGHUP
// does (reload.watch_files); a change that does not load is refused and the running config
// keeps answering. Real files, a started service, answers over UDP.

const ZONE = (extra: string) => `$TTL 300
@ IN SOA ns1 hostmaster 2026120201 7200 3600 1209600 60
@ NS ns1
ns1 A 192.0.2.53
$INCLUDE hosts.zone
${extra}
`;

let dir: string;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The example config with its zone from files in a temp dir, files checked every 100 ms. */
function writeConfig(reload: Record<string, unknown> = { check_interval: '100ms' }): string {
  dir = mkdtempSync(join(tmpdir(), 'geosteer-file-reload-'));
  const doc = exampleDocument();
  doc.reload = reload;
  doc.log = { level: 'silent' }; // a reload applies log.level to the test's silent logger
  doc.zones = [{ name: 'example.com', file: 'example.com.zone' }];
  writeFileSync(join(dir, 'example.com.zone'), ZONE('file A 192.0.2.1'));
  writeFileSync(join(dir, 'hosts.zone'), 'included A 192.0.2.2\n');
  const path = join(dir, 'geosteer.yaml');
  writeFileSync(path, stringify(doc));
  return path;
}

const answerOf = async (name: string) => {
  const reply = await ask(server!.port, { name, type: 'A' });
  return [reply.rcode, ...reply.answers].join(' ');
};
/** The events of `type`, oldest first. */
const eventsOf = (type: GeosteerEvent['type']) => server!.events.list({ type }).reverse();

describe('reload on file change', () => {
  it('a zone file edit, an $INCLUDE edit and a config edit each reload once; answers follow', async () => {
    const path = writeConfig();
    server = await startServer(await loadConfigFile(path));
    expect([await answerOf('file.example.com'), await answerOf('included.example.com')]).toEqual(['0 192.0.2.1', '0 192.0.2.2']);

    writeFileSync(join(dir, 'example.com.zone'), ZONE('file A 192.0.2.11'));
    await waitFor('the zone file edit to answer', async () => (await answerOf('file.example.com')) === '0 192.0.2.11');
    writeFileSync(join(dir, 'hosts.zone'), 'included A 192.0.2.12\n');
    await waitFor('the $INCLUDE edit to answer', async () => (await answerOf('included.example.com')) === '0 192.0.2.12');
    const doc = exampleDocument();
    doc.reload = { check_interval: '100ms' };
    doc.log = { level: 'silent' };
    doc.zones = [{ name: 'example.com', file: 'example.com.zone', records: [{ name: 'yaml', type: 'A', value: '192.0.2.13' }] }];
    writeFileSync(path, stringify(doc));
    await waitFor('the config edit to answer', async () => (await answerOf('yaml.example.com')) === '0 192.0.2.13');

    const reloads = eventsOf('config_reloaded');
    expect(reloads.map((e) => e.cause)).toEqual([
      `file changed: ${join(dir, 'example.com.zone')}: ${path}`,
      `file changed: ${join(dir, 'hosts.zone')}: ${path}`,
      `file changed: ${path}: ${path}`,
    ]);
    expect(eventsOf('config_rejected')).toEqual([]);
  });

  it('a broken zone file is refused, the previous zone keeps answering, and the fix is taken', async () => {
    const path = writeConfig();
    server = await startServer(await loadConfigFile(path));
    writeFileSync(join(dir, 'example.com.zone'), ZONE('file A 192.0.2.999'));
    const rejected = await waitFor('the broken zone to be refused', () => eventsOf('config_rejected')[0]);
    expect(rejected.detail).toEqual({ source: path, problems: [expect.stringMatching(/example\.com\.zone:6: .*192\.0\.2\.999/)] });
    expect(await answerOf('file.example.com')).toBe('0 192.0.2.1');

    writeFileSync(join(dir, 'example.com.zone'), ZONE('file A 192.0.2.21'));
    await waitFor('the fixed zone to answer', async () => (await answerOf('file.example.com')) === '0 192.0.2.21');
    expect(eventsOf('config_reloaded')).toHaveLength(1);
    expect(eventsOf('config_rejected')).toHaveLength(1);
  });

  it('a ConfigMap-style symlink swap of the zone file is seen', async () => {
    const path = writeConfig();
    // what the kubelet does: the file is a symlink into a versioned folder, replaced by a rename
    writeFileSync(join(dir, 'v1.zone'), ZONE('file A 192.0.2.1'));
    rmSync(join(dir, 'example.com.zone'));
    symlinkSync('v1.zone', join(dir, 'example.com.zone'));
    server = await startServer(await loadConfigFile(path));
    writeFileSync(join(dir, 'v2.zone'), ZONE('file A 192.0.2.31'));
    symlinkSync('v2.zone', join(dir, 'next.zone'));
    renameSync(join(dir, 'next.zone'), join(dir, 'example.com.zone'));
    await waitFor('the swapped zone to answer', async () => (await answerOf('file.example.com')) === '0 192.0.2.31');
  });

  it('reload.watch_files false watches nothing; a reload that turns it on watches every file the config read', async () => {
    const path = writeConfig({ watch_files: false });
    const reloads: string[] = [];
    const input = configFilesInput({ config: () => loaded, reload: async (cause) => void reloads.push(cause), log: silentLogger() });
    let loaded = await loadConfigFile(path);
    await input.start();
    expect(input.watching()).toEqual([]);
    const next = await loadConfigFile(path);
    const on = { ...next, config: { ...next.config, reload: { watch_files: true, check_interval: 100 } } };
    await input.reload!(on, loaded);
    loaded = on;
    expect(input.watching()).toEqual([path, join(dir, 'example.com.zone'), join(dir, 'hosts.zone')]);
    writeFileSync(join(dir, 'hosts.zone'), 'included A 192.0.2.42\n');
    await waitFor('the watcher to ask for a reload', () => reloads.length > 0);
    expect(reloads).toEqual([`file changed: ${join(dir, 'hosts.zone')}`]);
    await input.stop();
    expect(input.watching()).toEqual([]);
  });
});
