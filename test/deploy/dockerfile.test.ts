import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

// The image cannot be built here (no Docker engine): this reads the Dockerfile and checks what
// can be checked without building; scripts/image-contents-check.sh runs its build stage.

interface Stage {
  readonly from: string;
  readonly name: string;
  readonly lines: string[];
}

function stages(): Stage[] {
  const text = readFileSync('Dockerfile', 'utf8').replace(/\\\n/g, ' ');
  const out: { from: string; name: string; lines: string[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) out.push({ from: from[1], name: from[2] ?? '', lines: [] });
    else out.at(-1)!.lines.push(line);
  }
  return out;
}

const instruction = (stage: Stage, name: string) => stage.lines.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

describe('Dockerfile', () => {
  const [build, runtime] = stages();

  it('builds and runs on the Node.js 24 LTS slim image, in two stages', () => {
    expect(stages().map((s) => `${s.name}: ${s.from}`)).toEqual(['build: node:24-bookworm-slim', 'runtime: node:24-bookworm-slim']);
    const major = Number(/^node:(\d+)-/.exec(runtime.from)![1]);
    expect(major % 2, 'an even (LTS) Node.js line').toBe(0);
    expect(Number(/>=(\d+)/.exec(JSON.parse(readFileSync('package.json', 'utf8')).engines.node)![1])).toBeLessThanOrEqual(major);
  });

  it('runs as a numeric non-root user, exposes DNS and the open listener, and has a HEALTHCHECK on its /healthz', () => {
    expect(instruction(runtime, 'USER')).toEqual(['1000:1000']);
    expect(instruction(runtime, 'EXPOSE')).toEqual(['53/udp 53/tcp 8054/tcp']);
    const [healthcheck] = instruction(runtime, 'HEALTHCHECK');
    const exec = JSON.parse(/ CMD (\[.*\])$/.exec(healthcheck)![1]) as string[];
    expect(exec.slice(0, 2)).toEqual(['node', '-e']);
    expect(instruction(runtime, 'ENV').join(' ')).toContain('GEOSTEER_HEALTHCHECK_URL=http://127.0.0.1:8054/healthz');
    expect(instruction(runtime, 'ENTRYPOINT')).toEqual(['["node", "dist/cli.js"]']);
    expect(instruction(runtime, 'CMD')).toEqual(['["serve", "--config", "/etc/geosteer/geosteer.yaml"]']);
  });

  it('bakes in config/geosteer.container.yaml: DNS and the open listener on every address, the token API on loopback', () => {
    const copies = instruction(runtime, 'COPY');
    expect(copies).toContain('--chown=root:root config/geosteer.container.yaml /etc/geosteer/geosteer.yaml');
    expect(existsSync('config/geosteer.container.yaml')).toBe(true);
    const { config } = parseConfigText(readFileSync('config/geosteer.container.yaml', 'utf8'), 'config/geosteer.container.yaml');
    expect(config.dns.listen).toEqual(['0.0.0.0:53', '[::]:53']);
    // plain HTTP beyond loopback carries no token: the API stays on 127.0.0.1 (no TLS in the image's config)
    expect([config.admin!.listen, config.admin!.tls]).toEqual(['127.0.0.1:8053', undefined]);
    expect(config.admin!.open_listen).toBe('0.0.0.0:8054');
    expect(config.admin!.tokens).toEqual([{ name: 'ops', scope: 'write', token_env: 'GEOSTEER_ADMIN_TOKEN' }]);
    // the HEALTHCHECK and EXPOSE name the open listener's port
    const port = config.admin!.open_listen!.split(':')[1];
    expect(instruction(runtime, 'ENV').join(' ')).toContain(`GEOSTEER_HEALTHCHECK_URL=http://127.0.0.1:${port}/healthz`);
    expect(instruction(runtime, 'EXPOSE')[0].split(' ')).toContain(`${port}/tcp`);
  });

  it('builds the native UDP addon from sources copied before npm ci, and fails without it', () => {
    const lines = build.lines;
    const at = (line: string) => {
      const i = lines.indexOf(line);
      expect(i, line).toBeGreaterThanOrEqual(0);
      return i;
    };
    const npmCi = at('RUN GEOSTEER_SKIP_NATIVE=1 npm ci --no-audit --no-fund && npm run build:native');
    // the install script (scripts/build-native.mjs) compiles binding.gyp's native/ sources during npm ci
    for (const copy of ['COPY package.json package-lock.json binding.gyp ./', 'COPY native ./native/', 'COPY scripts/build-native.mjs ./scripts/']) expect(at(copy), copy).toBeLessThan(npmCi);
    expect(at('RUN npm run build && scripts/stage-image.sh /stage')).toBeGreaterThan(npmCi);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.scripts.install).toMatch(/^node scripts\/build-native\.mjs /);
    expect(pkg.scripts['build:native']).toBe('node scripts/build-native.mjs --strict');
    // the runtime stage gets build/Release/geosteer_udp.node through /stage, which stage-image.sh fills with that file alone
    const stage = readFileSync('scripts/stage-image.sh', 'utf8');
    expect(stage).toContain('addon=build/Release/geosteer_udp.node\n[ -f "$addon" ] || {');
    expect(stage).toContain('cp "$addon" "$dest/build/Release/"');
    expect(stage).not.toMatch(/cp -R[^\n]* build[ /\n]/);
  });

  it('the runtime stage gets only the staged build output, no compiler, no package manager, no setcap', () => {
    expect(instruction(runtime, 'COPY').filter((c) => c.includes('--from='))).toEqual(['--from=build --chown=root:root /stage/ /app/']);
    const runs = instruction(runtime, 'RUN').join('\n');
    expect(runs).not.toMatch(/apt-get install|g\+\+|make|python3|setcap|npm (ci|install)/);
    expect(runs).toContain('/usr/local/lib/node_modules/npm');
    expect(instruction(build, 'RUN').join('\n')).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+ /);
    expect(instruction(build, 'RUN')).toContain('npm run build && scripts/stage-image.sh /stage');
    expect(readFileSync('scripts/stage-image.sh', 'utf8')).toContain('npm prune --omit=dev');
  });

  it('carries the OCI labels', () => {
    const labels = instruction(runtime, 'LABEL').join(' ');
    for (const key of ['title', 'description', 'licenses="Apache-2.0"', 'version', 'revision', 'base.name']) expect(labels).toContain(`org.opencontainers.image.${key}`);
  });

  it('the build context it copies is what scripts/image-contents-check.sh copies, and .dockerignore lets it through', () => {
    const sources = instruction(build, 'COPY').flatMap((c) => c.split(/\s+/).slice(0, -1));
    const script = readFileSync('scripts/image-contents-check.sh', 'utf8');
    const listed = /^BUILD_CONTEXT=\((.*)\)$/m.exec(script)![1].split(' ');
    expect([...listed].sort()).toEqual([...sources].sort());
    for (const s of sources) expect(existsSync(s), `${s} is in the repository`).toBe(true);
    const allowed = readFileSync('.dockerignore', 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    for (const s of [...sources, 'config/geosteer.container.yaml']) expect(allowed, `.dockerignore lets ${s} through`).toContain(s);
  });
});
