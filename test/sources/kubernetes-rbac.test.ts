import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubernetesRegionSourceConfig } from '../../src/config/schema.js';
import { requiredRbacRules, type RbacRule } from '../../src/sources/rbac.js';
import { startFakeKubernetes } from '../support/fake-kubernetes.js';
import { waitFor } from '../support/poll.js';
import { regionConfig, runSource } from '../support/kubernetes-source-run.js';

// The RBAC each option needs is what the source really calls: the fake records every list
// and watch, and the rules requiredRbacRules (and the README) give must cover exactly those.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const readiness = { require: 'all', unknown_after: 60_000 } as const;
const rule = (group: string, ...resources: string[]): RbacRule => ({ apiGroups: [group], resources, verbs: ['list', 'watch'] });
const grants = (rules: RbacRule[]) => new Set(rules.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${r.apiGroups[0] === '' ? res : `${res}.${r.apiGroups[0]}`}`))));

const rows: [string, Pick<KubernetesRegionSourceConfig, 'resources' | 'readiness'>, RbacRule[]][] = [
  ['Ingresses (the default)', { resources: ['ingress'] }, [rule('networking.k8s.io', 'ingresses')]],
  ['Services', { resources: ['service'] }, [rule('', 'services')]],
  ['Gateways', { resources: ['gateway'] }, [rule('gateway.networking.k8s.io', 'gateways')]],
  ['Services with readiness', { resources: ['service'], readiness }, [rule('', 'services'), rule('discovery.k8s.io', 'endpointslices')]],
  [
    'Ingresses and Gateways with readiness',
    { resources: ['ingress', 'gateway'], readiness },
    [rule('networking.k8s.io', 'ingresses'), rule('gateway.networking.k8s.io', 'gateways', 'httproutes'), rule('discovery.k8s.io', 'endpointslices')],
  ],
];

describe('RBAC per option', () => {
  for (const [label, options, rules] of rows) {
    it(label, async () => {
      expect(requiredRbacRules(options)).toEqual(rules);
      const k8s = await startFakeKubernetes('c');
      cleanups.push(() => k8s.close());
      await runSource({ tokyo: regionConfig(k8s, options) }, cleanups);
      const kinds = grants(rules).size / 2;
      await waitFor('every watch open', () => k8s.watchers() === kinds);
      expect(new Set(k8s.calls.map((c) => `${c.verb} ${c.resource}`))).toEqual(grants(rules));
    });
  }

  it("the README's ClusterRole grants what every option together needs, read-only", () => {
    const docs = [...readFileSync('src/sources/README.md', 'utf8').matchAll(/```yml\n([\s\S]*?)```/g)].flatMap((m) => parseAllDocuments(m[1]).map((d) => d.toJS()));
    const role = docs.find((d) => d?.kind === 'ClusterRole');
    expect(role?.rules).toEqual(requiredRbacRules({ resources: ['ingress', 'service', 'gateway'], readiness }));
  });
});
