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

  it('runs as a numeric non-root user, exposes DNS and the admin port, and has a HEALTHCHECK on /healthz', () => {
    expect(instruction(runtime, 'USER')).toEqual(['1000:1000']);
    expect(instruction(runtime, 'EXPOSE')).toEqual(['53/udp 53/tcp 8053/tcp']);
    const [healthcheck] = instruction(runtime, 'HEALTHCHECK');
    const exec = JSON.parse(/ CMD (\[.*\])$/.exec(healthcheck)![1]) as string[];
    expect(exec.slice(0, 2)).toEqual(['node', '-e']);
    expect(instruction(runtime, 'ENV').join(' ')).toContain('GEOSTEER_HEALTHCHECK_URL=http://127.0.0.1:8053/healthz');
    expect(instruction(runtime, 'ENTRYPOINT')).toEqual(['["node", "dist/cli.js"]']);
    expect(instruction(runtime, 'CMD')).toEqual(['["serve", "--config", "/etc/geosteer/geosteer.yaml"]']);
  });

  it('bakes in config/geosteer.container.yaml, which loads and listens on every address', () => {
    const copies = instruction(runtime, 'COPY');
    expect(copies).toContain('--chown=root:root config/geosteer.container.yaml /etc/geosteer/geosteer.yaml');
    expect(existsSync('config/geosteer.container.yaml')).toBe(true);
    const { config } = parseConfigText(readFileSync('config/geosteer.container.yaml', 'utf8'), 'config/geosteer.container.yaml');
    expect(config.dns.listen).toEqual(['0.0.0.0:53', '[::]:53']);
    expect(config.admin!.listen).toBe('0.0.0.0:8053');
    expect([...config.admin!.open_endpoints].sort()).toEqual(['healthz', 'metrics', 'readyz']);
    expect(config.admin!.tokens).toEqual([{ name: 'ops', scope: 'write', token_env: 'GEOSTEER_ADMIN_TOKEN' }]);
  });

  it('the runtime stage gets only the staged build output, no compiler, no package manager, no setcap', () => {
    expect(instruction(runtime, 'COPY').filter((c) => c.includes('--from='))).toEqual(['--from=build --chown=root:root /stage/ /app/']);
    const runs = instruction(runtime, 'RUN').join('\n');
    expect(runs).not.toMatch(/apt-get install|g\+\+|make|python3|setcap|npm (ci|install)/);
    expect(runs).toContain('/usr/local/lib/node_modules/npm');
    expect(instruction(build, 'RUN').join('\n')).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
    expect(instruction(build, 'RUN')).toContain('npm run build && scripts/stage-image.sh /stage');
    expect(readFileSync('scripts/stage-image.sh', 'utf8')).toContain('npm prune --omit=dev');
  });

  it('carries the OCI labels', () => {
    const labels = instruction(runtime, 'LABEL').join(' ');
    for (const key of ['title', 'description', 'licenses="Apache-2.0"', 'version', 'revision', 'base.name']) expect(labels).toContain(`org.opencontainers.image.${key}`);
  });

  it('the build context it copies is what scripts/image-contents-check.sh copies, and .dockerignore lets it through', () => {
    const sources = instruction(build, 'COPY').flatMap((c) => c.split(/\s+/).slice(0, -1)).map((s) => s.replace(/\[(\w)\]/, '$1'));
    const script = readFileSync('scripts/image-contents-check.sh', 'utf8');
    const listed = (name: string) => new RegExp(`^${name}=\\((.*)\\)$`, 'm').exec(script)![1].split(' ');
    expect([...listed('BUILD_CONTEXT'), ...listed('OPTIONAL_CONTEXT')].sort()).toEqual([...sources].sort());
    const allowed = readFileSync('.dockerignore', 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    for (const s of [...sources, 'config/geosteer.container.yaml']) expect(allowed, `.dockerignore lets ${s} through`).toContain(s);
  });
});
