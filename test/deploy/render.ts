import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// Renders deploy/ with `kubectl kustomize` (kustomize v5 built into kubectl; offline) and
// hands the tests plain objects. Without kubectl the suites skip loudly, and fail in CI.

const IN_CI = process.env.CI === 'true';
const DEPLOY = resolve('deploy');

/** The example regions, one overlay each under deploy/overlays/. */
export const REGIONS = ['taiwan', 'singapore', 'tokyo', 'us-west'] as const;

/** One rendered Kubernetes object, as kubectl would send it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

/** One rendered variant: an overlay, alone or with an optional component added. */
export interface Rendered {
  readonly label: string;
  readonly region: (typeof REGIONS)[number];
  readonly objects: K8sObject[];
}

/** True when kubectl is on PATH. */
export function kubectlInstalled(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

/** `describe` for suites that render deploy/: skipped with a warning without kubectl, failing when CI=true. */
export function describeWithKubectl(name: string, body: () => void): void {
  if (kubectlInstalled()) {
    describe(name, body);
    return;
  }
  const message = `kubectl is not installed (not on PATH): install it (kustomize v5 is built in) to run "${name}"`;
  if (IN_CI) {
    describe(name, () => {
      it('needs kubectl', () => {
        throw new Error(`${message}; CI=true, so this is a failure, not a skip`);
      });
    });
    return;
  }
  console.warn(`\n!!! SKIPPING "${name}": ${message}\n`);
  describe.skip(name, body);
}

/** `kubectl kustomize DIR`, parsed; throws with kubectl's message when it fails. */
export function renderKustomization(dir: string): K8sObject[] {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr || run.error?.message}`);
  return parseAllDocuments(run.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${dir}: ${doc.errors[0].message}`);
    return doc.toJS() as K8sObject;
  });
}

/** An overlay with a component added the way deploy/ tells an operator to: by uncommenting its line in the overlay. */
function renderWithComponent(region: string, component: string): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-kustomize-'));
  try {
    cpSync(DEPLOY, join(dir, 'deploy'), { recursive: true });
    const file = join(dir, 'deploy', 'overlays', region, 'kustomization.yaml');
    const line = `  # - ../../components/${component}`;
    const text = readFileSync(file, 'utf8');
    if (!text.includes(line)) throw new Error(`deploy/overlays/${region}/kustomization.yaml has no commented-out "${line.trim()}" to enable`);
    writeFileSync(file, text.replace(line, `  - ../../components/${component}`));
    return renderKustomization(join(dir, 'deploy', 'overlays', region));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let cache: Rendered[] | undefined;

/** Every overlay as shipped, then every overlay with the hostNetwork DaemonSet component. */
export function renderedVariants(): Rendered[] {
  cache ??= [
    ...REGIONS.map((region) => ({ label: `overlays/${region}`, region, objects: renderKustomization(join(DEPLOY, 'overlays', region)) })),
    ...REGIONS.map((region) => ({ label: `overlays/${region} + components/hostnetwork`, region, objects: renderWithComponent(region, 'hostnetwork') })),
  ];
  return cache;
}

/** The one object of this kind (and name), or an error naming what is missing. */
export function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** The workload running geosteer: the Deployment, or the DaemonSet of the hostNetwork option. */
export function geosteerWorkload(objects: K8sObject[]): K8sObject {
  const workloads = objects.filter((o) => (o.kind === 'Deployment' || o.kind === 'DaemonSet') && o.metadata.name === 'geosteer');
  if (workloads.length !== 1) throw new Error(`expected one geosteer Deployment or DaemonSet, found ${workloads.length}`);
  return workloads[0];
}
