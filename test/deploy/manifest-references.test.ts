import { expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { requiredRbacRules } from '../../src/sources/rbac.js';
import { REGION_RESOURCES, type RegionResourceName } from '../../src/sources/region-resources.js';
import { documentedSecrets } from './documented-secrets.js';
import { describeWithKubectl, find, geosteerWorkload, renderedVariants, type K8sObject } from './render.js';

// What the Kubernetes source may list and watch, as "resource.group", from the source's own
// rules (src/sources/rbac.ts) for a region with every option on: every resource kind it reads
// addresses from, plus what readiness reads (EndpointSlices; HTTPRoutes for Gateways). The
// ClusterRole is shared by whatever the four region configs choose.
const EVERY_OPTION = { resources: Object.keys(REGION_RESOURCES) as RegionResourceName[], readiness: { require: 'all', unknown_after: 60_000 } } as const;
const pairsOf = (rules: readonly { apiGroups: readonly string[]; resources: readonly string[] }[]) =>
  [...new Set(rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${res}.${g || 'core'}`))))].sort();
const WATCHED = pairsOf(requiredRbacRules(EVERY_OPTION));

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);
/** The files of each ConfigMap a pod mounts whole: the region's config, this cluster's kubeconfig. */
const CONFIGMAP_FILES: Record<string, string[]> = { 'geosteer-config': ['geosteer.yaml'], 'geosteer-in-cluster-kubeconfig': ['kubeconfig.yaml'] };

/** The Kubernetes source options of every region in a geosteer config text. */
function regionSources(text: string, label: string) {
  return parseConfigText(text, label).config.sources?.kubernetes?.regions ?? {};
}

function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The one workload whose pods `selector` picks; throws naming what went wrong. */
function workloadSelectedBy(objects: K8sObject[], selector: Record<string, string>, what: string): K8sObject {
  const hits = objects.filter((o) => WORKLOAD_KINDS.has(o.kind) && selects(selector, o.spec.template.metadata.labels));
  if (hits.length !== 1) throw new Error(`${what}: selector ${JSON.stringify(selector)} picks ${hits.length} workloads, expected 1`);
  return hits[0];
}

function containerPorts(workload: K8sObject): { name?: string; containerPort: number; protocol?: string }[] {
  return workload.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
}

/** A Service/NetworkPolicy port reference (name or number) resolved against the workload's container ports. */
function portExists(workload: K8sObject, port: string | number, protocol = 'TCP'): boolean {
  return containerPorts(workload).some((p) => (typeof port === 'string' ? p.name === port : p.containerPort === port) && (p.protocol ?? 'TCP') === protocol);
}

describeWithKubectl('deploy/: cross-references inside every rendered variant', () => {
  const secrets = documentedSecrets();

  it('the README creates the Secrets the manifests need, with their keys', () => {
    expect(Object.fromEntries([...secrets].map(([name, keys]) => [name, [...keys].sort()]))).toEqual({
      'geosteer-admin': ['token'],
      'geosteer-cloudflare': ['api-token'],
      'geosteer-kubeconfigs': ['singapore.yaml', 'taiwan.yaml', 'tokyo.yaml', 'us-west.yaml'],
      'geosteer-redis': ['password'],
    });
  });

  it('every Service selects one workload and targets ports its containers declare', () => {
    for (const { label, objects } of renderedVariants()) {
      for (const svc of objects.filter((o) => o.kind === 'Service')) {
        const workload = workloadSelectedBy(objects, svc.spec.selector, `${label}: Service ${svc.metadata.name}`);
        for (const p of svc.spec.ports) expect(portExists(workload, p.targetPort ?? p.port, p.protocol), `${label}: Service ${svc.metadata.name} port ${p.name}`).toBe(true);
      }
    }
  });

  it('every NetworkPolicy and PodDisruptionBudget selects one workload, by ports it has', () => {
    for (const { label, objects } of renderedVariants()) {
      for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
        const workload = workloadSelectedBy(objects, np.spec.podSelector.matchLabels, `${label}: NetworkPolicy ${np.metadata.name}`);
        for (const rule of np.spec.ingress) for (const p of rule.ports) expect(portExists(workload, p.port, p.protocol), `${label}: NetworkPolicy ${np.metadata.name} port ${p.port}`).toBe(true);
      }
      for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) workloadSelectedBy(objects, pdb.spec.selector.matchLabels, `${label}: PDB ${pdb.metadata.name}`);
    }
  });

  it('every ConfigMap and Secret a pod uses exists (in the render or made by hand as documented), with the keys used', () => {
    for (const { label, objects } of renderedVariants()) {
      for (const workload of objects.filter((o) => WORKLOAD_KINDS.has(o.kind))) {
        const where = `${label}: ${workload.kind} ${workload.metadata.name}`;
        for (const v of workload.spec.template.spec.volumes ?? []) {
          if (v.configMap) {
            const cm = find(objects, 'ConfigMap', v.configMap.name);
            for (const item of v.configMap.items ?? []) expect(Object.keys(cm.data), `${where}: volume ${v.name}`).toContain(item.key);
            // each holds the one file the pod reads from it (the generator's hash suffix aside)
            expect(Object.keys(cm.data), `${where}: ConfigMap ${cm.metadata.name}`).toEqual(CONFIGMAP_FILES[cm.metadata.name.replace(/-[a-z0-9]{10}$/, '')]);
          }
          if (v.secret) expect(secrets.has(v.secret.secretName) || objects.some((o) => o.kind === 'Secret' && o.metadata.name === v.secret.secretName), `${where}: Secret ${v.secret.secretName}`).toBe(true);
        }
        for (const c of workload.spec.template.spec.containers) {
          expect(c.image, `${where}: container ${c.name} image is not the unset placeholder`).toMatch(/^[a-z0-9./-]+:[0-9A-Za-z._-]+$/);
          for (const e of c.env ?? []) {
            const ref = e.valueFrom?.secretKeyRef;
            if (ref) expect(secrets.get(ref.name)?.has(ref.key), `${where}: env ${e.name} from Secret ${ref.name} key ${ref.key}`).toBe(true);
          }
          const volumeNames = new Set([...(workload.spec.template.spec.volumes ?? []), ...(workload.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata)].map((v: any) => v.name));
          for (const m of c.volumeMounts ?? []) expect(volumeNames.has(m.name), `${where}: volumeMount ${m.name}`).toBe(true);
          for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean)) {
            if (probe.httpGet) expect(portExists(workload, probe.httpGet.port), `${where}: probe port ${probe.httpGet.port}`).toBe(true);
          }
        }
      }
    }
  });

  it('the ServiceMonitor selects the metrics Service, by a port name the Service has, which is the port the NetworkPolicy opens to Prometheus', () => {
    for (const { label, objects } of renderedVariants()) {
      const monitor = find(objects, 'ServiceMonitor', 'geosteer');
      const services = objects.filter((o) => o.kind === 'Service' && selects(monitor.spec.selector.matchLabels, o.metadata.labels));
      expect(services.map((s) => s.metadata.name), label).toEqual(['geosteer-metrics']);
      expect(monitor.spec.endpoints.map((ep: any) => [ep.port, ep.path]), label).toEqual([['metrics', '/metrics']]);
      const port = services[0].spec.ports.find((p: any) => p.name === monitor.spec.endpoints[0].port);
      expect(port, label).toMatchObject({ targetPort: 'metrics', protocol: 'TCP' });
      // hostNetwork: the NetworkPolicy does not apply (deploy/README.md), but it still names the port
      const fromPrometheus = find(objects, 'NetworkPolicy', 'geosteer').spec.ingress.filter((r: any) => r.from !== undefined);
      expect(fromPrometheus.flatMap((r: any) => r.ports), label).toEqual([{ port: port.targetPort, protocol: 'TCP' }]);
    }
  });

  it('the ClusterRole lets geosteer list and watch what the sources can read, and no more; it is bound to the pods\' ServiceAccount', () => {
    for (const { label, objects, region } of renderedVariants()) {
      const role = find(objects, 'ClusterRole', 'geosteer-source-reader');
      expect(pairsOf(role.rules), label).toEqual(WATCHED);
      for (const r of role.rules) expect(r.verbs, label).toEqual(['list', 'watch']);
      // what each region's config asks for is among it (requiredRbacRules of its own options)
      const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('geosteer-config-'))!;
      for (const rc of Object.values(regionSources(config.data['geosteer.yaml'], label))) {
        for (const pair of pairsOf(requiredRbacRules(rc))) expect(WATCHED, `${label} (${region}): ${pair}`).toContain(pair);
      }
      const binding = find(objects, 'ClusterRoleBinding', 'geosteer-source-reader');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
      const sa = geosteerWorkload(objects).spec.template.spec.serviceAccountName;
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa, namespace: 'geosteer' }]);
      find(objects, 'ServiceAccount', sa);
      expect(find(objects, 'Secret', 'geosteer-reader-token').metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': sa });
    }
  });

  it('every namespaced object is in namespace geosteer, which exists', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
    for (const { label, objects } of renderedVariants()) {
      find(objects, 'Namespace', 'geosteer');
      for (const o of objects) expect(o.metadata.namespace, `${label}: ${o.kind} ${o.metadata.name}`).toBe(clusterScoped.has(o.kind) ? undefined : 'geosteer');
    }
  });

  it('nothing carries the geosteer.io/region label, so geosteer never picks its own Services as a region\'s endpoints', () => {
    for (const { label, objects } of renderedVariants()) {
      for (const o of objects) expect(o.metadata.labels?.['geosteer.io/region'], `${label}: ${o.kind} ${o.metadata.name}`).toBeUndefined();
    }
  });

  it('the LoadBalancer keeps client addresses and serves UDP and TCP 53', () => {
    for (const { label, objects } of renderedVariants().filter((v) => !v.label.includes('hostnetwork'))) {
      const dns = find(objects, 'Service', 'geosteer-dns');
      expect(dns.spec.type, label).toBe('LoadBalancer');
      expect(dns.spec.externalTrafficPolicy, label).toBe('Local');
      expect(dns.spec.ports.map((p: any) => `${p.port}/${p.protocol}`), label).toEqual(['53/UDP', '53/TCP']);
    }
  });

  it('the pods are non-root, read-only, drop every capability and bind 53 through the pod sysctl', () => {
    for (const { label, objects } of renderedVariants().filter((v) => !v.label.includes('hostnetwork'))) {
      const pod = find(objects, 'Deployment', 'geosteer').spec.template.spec;
      expect(pod.securityContext, label).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '53' }] });
      expect(pod.containers[0].securityContext, label).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } });
      expect(find(objects, 'Namespace', 'geosteer').metadata.labels?.['pod-security.kubernetes.io/enforce'], label).toBe('restricted');
    }
  });

  it('the hostNetwork DaemonSet runs the Deployment\'s container, changed only in how it gets port 53', () => {
    for (const region of ['taiwan', 'singapore', 'tokyo', 'us-west']) {
      const plain = renderedVariants().find((v) => v.label === `overlays/${region}`)!.objects;
      const host = renderedVariants().find((v) => v.label === `overlays/${region} + components/hostnetwork`)!.objects;
      const deployment = structuredClone(find(plain, 'Deployment', 'geosteer').spec.template.spec);
      const daemon = structuredClone(find(host, 'DaemonSet', 'geosteer').spec.template.spec);
      expect(daemon.securityContext).toEqual({ runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } });
      expect(daemon.containers[0].securityContext).toEqual({ ...deployment.containers[0].securityContext, runAsNonRoot: false });
      for (const spec of [deployment, daemon]) {
        delete spec.securityContext;
        delete spec.containers[0].securityContext;
      }
      delete deployment.topologySpreadConstraints;
      expect({ ...daemon, hostNetwork: undefined, dnsPolicy: undefined, nodeSelector: undefined }, region).toEqual({ ...deployment, hostNetwork: undefined, dnsPolicy: undefined, nodeSelector: undefined });
      expect([daemon.hostNetwork, daemon.dnsPolicy, daemon.nodeSelector]).toEqual([true, 'ClusterFirstWithHostNet', { 'geosteer.io/dns-node': 'true' }]);
      expect(find(host, 'Namespace', 'geosteer').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
    }
  });
});
