import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { parseConfigText, type LoadedConfig } from '../../src/config/load.js';
import { parseListenAddress } from '../../src/config/schema.js';
import { isLoopbackHost } from '../../src/service/admin-server.js';
import { documentedSecrets } from './documented-secrets.js';
import { describeWithKubectl, find, geosteerWorkload, REGIONS, renderedVariants, type K8sObject } from './render.js';

/** The geosteer config a variant ships, through geosteer's own loader (throws listing every problem). */
function embeddedConfig(objects: K8sObject[], label: string): LoadedConfig {
  const cm = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('geosteer-config-'));
  if (cm.length !== 1) throw new Error(`${label}: expected one geosteer-config ConfigMap, found ${cm.length}`);
  return parseConfigText(cm[0].data['geosteer.yaml'], `${label}: ConfigMap ${cm[0].metadata.name}`);
}

/** Where a file path in the container comes from: [volume, key], or undefined when nothing mounts it. */
function mountedFile(workload: K8sObject, path: string): { volume: any; key: string } | undefined {
  const pod = workload.spec.template.spec;
  const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === dirname(path));
  if (!mount) return undefined;
  return { volume: pod.volumes.find((v: any) => v.name === mount.name), key: path.slice(dirname(path).length + 1) };
}

describeWithKubectl('deploy/overlays: the geosteer config of every region', () => {
  const variants = () => renderedVariants().map((v) => ({ ...v, loaded: embeddedConfig(v.objects, v.label) }));

  it('passes geosteer\'s config loader with no problems, and is the overlay\'s geosteer.yaml', () => {
    for (const { label, region, loaded } of variants()) {
      expect(loaded.model.regions.size, label).toBe(4);
      expect(loaded.text, label).toBe(readFileSync(`deploy/overlays/${region}/geosteer.yaml`, 'utf8'));
    }
  });

  it('each pod votes (and holds the sync lease) as itself, and every edge shares the Redis taiwan publishes', () => {
    const taiwan = find(renderedVariants()[0].objects, 'Service', 'geosteer-redis-regions');
    const published = `redis://${taiwan.metadata.annotations?.['metallb.io/loadBalancerIPs']}:${taiwan.spec.ports[0].port}`;
    for (const { label, region, loaded } of variants()) {
      // no shared id: the default is hostname-pid, the pod's own name (two pods with one id would both hold the sync lease)
      expect(loaded.config.state.instance_id, label).toBeUndefined();
      expect(loaded.config.state.store, label).toBe('redis');
      expect(loaded.config.state.url, label).toBe(region === 'taiwan' ? `redis://${find(renderedVariants()[0].objects, 'Service', 'geosteer-redis').metadata.name}:6379` : published);
    }
  });

  it('the four regions serve the same zones, regions, names, health and admin settings', () => {
    const shared = (c: LoadedConfig['config']) => ({ ...c, state: { ...c.state, instance_id: undefined, url: undefined }, sync: undefined, sources: Object.keys(c.sources?.kubernetes?.regions ?? {}) });
    const [first, ...rest] = variants();
    for (const v of rest) expect(shared(v.loaded.config), v.label).toEqual(shared(first.loaded.config));
    expect(variants().filter((v) => v.loaded.config.sync !== undefined).map((v) => v.region)).toEqual(['taiwan', 'taiwan']);
  });

  it('each overlay\'s LoadBalancer addresses are the glue of one name server, and the four cover every NS', () => {
    const glueOf = new Map<string, string[]>();
    const zone = variants()[0].loaded.config.zones[0];
    for (const ns of zone.ns ?? []) {
      const rel = ns.slice(0, -(zone.name.length + 1));
      glueOf.set(ns, zone.records.filter((r) => r.name === rel && (r.type === 'A' || r.type === 'AAAA')).map((r) => String(r.value)));
    }
    const claimed = REGIONS.map((region) => {
      const svc = find(renderedVariants().find((v) => v.label === `overlays/${region}`)!.objects, 'Service', 'geosteer-dns');
      const addresses = (svc.metadata.annotations?.['metallb.io/loadBalancerIPs'] ?? '').split(',');
      // an address set that is no name server's glue shows in the comparison below as this text
      return [...glueOf].find(([, glue]) => glue.join(',') === addresses.join(','))?.[0] ?? `${region}: ${addresses.join(',')} is no name server's glue`;
    });
    expect(claimed.sort()).toEqual([...glueOf.keys()].sort());
  });

  it('listens where the pod\'s ports are: DNS and the open listener on every address, the token API on loopback only', () => {
    for (const { label, objects, loaded } of variants()) {
      const container = geosteerWorkload(objects).spec.template.spec.containers[0];
      const ports = container.ports.map((p: any) => `${p.name}=${p.containerPort}/${p.protocol}`);
      const dns = loaded.config.dns.listen.map((l) => parseListenAddress(l)!);
      const admin = loaded.config.admin!;
      const open = parseListenAddress(admin.open_listen!)!;
      expect(dns.map((a) => a.host), label).toEqual(['0.0.0.0', '::']);
      expect(open.host, label).toBe('0.0.0.0');
      // the token API has no container port: nothing but port-forward reaches 127.0.0.1
      expect(ports, label).toEqual([`dns-udp=${dns[0].port}/UDP`, `dns-tcp=${dns[0].port}/TCP`, `metrics=${open.port}/TCP`]);
      // geosteer warns at start about plain HTTP beyond loopback (the token would cross the network in clear text)
      expect(isLoopbackHost(parseListenAddress(admin.listen)!.host) && admin.tls === undefined, `${label}: admin.listen ${admin.listen}`).toBe(true);
      // the kubelet's probes ask the open listener (port "metrics") for what it serves without a token
      const probes = { readinessProbe: container.readinessProbe.httpGet, livenessProbe: container.livenessProbe.httpGet, startupProbe: container.startupProbe.httpGet };
      expect(probes, label).toEqual({ readinessProbe: { path: '/readyz', port: 'metrics' }, livenessProbe: { path: '/healthz', port: 'metrics' }, startupProbe: { path: '/healthz', port: 'metrics' } });
    }
  });

  it('every secret the config reads from the environment is set from a documented Secret', () => {
    const secrets = documentedSecrets();
    for (const { label, objects, loaded } of variants()) {
      const env = new Map<string, any>(geosteerWorkload(objects).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef]));
      const wanted = [...loaded.config.admin!.tokens.map((t) => t.token_env), loaded.config.state.password_env, loaded.config.sync?.cloudflare?.api_token_env].filter((n): n is string => n !== undefined);
      expect(wanted.length, label).toBe(loaded.config.sync ? 3 : 2);
      for (const name of wanted) {
        const ref = env.get(name);
        expect(ref !== undefined && secrets.get(ref.name)?.has(ref.key), `${label}: ${name} from ${ref ? `${ref.name}/${ref.key}` : 'no Secret'}`).toBe(true);
      }
    }
  });

  it('taiwan\'s Redis requires the password every region sends (one Secret key), and no password is in a ConfigMap', () => {
    const taiwan = renderedVariants().find((v) => v.label === 'overlays/taiwan')!.objects;
    const redis = find(taiwan, 'StatefulSet', 'geosteer-redis').spec.template.spec.containers[0];
    const refOf = (container: any, name: string) => container.env.find((e: any) => e.name === name)?.valueFrom?.secretKeyRef;
    // --requirepass $(REDIS_PASSWORD): Kubernetes expands it from the container's env
    expect(redis.args.slice(-2)).toEqual(['--requirepass', '$(REDIS_PASSWORD)']);
    const required = refOf(redis, 'REDIS_PASSWORD');
    expect(refOf(redis, 'REDISCLI_AUTH'), 'the readiness probe (redis-cli ping) authenticates').toEqual(required);
    for (const { label, objects, loaded } of variants()) {
      expect(refOf(geosteerWorkload(objects).spec.template.spec.containers[0], loaded.config.state.password_env!), label).toEqual(required);
      expect(loaded.config.state.url, label).not.toMatch(/:\/\/[^@/]*:[^@/]*@/);
    }
  });

  it('every kubeconfig the Kubernetes source opens is mounted: this cluster\'s from the ConfigMap, the others\' from the documented Secret', () => {
    const secrets = documentedSecrets();
    for (const { label, region, objects, loaded } of variants()) {
      const workload = geosteerWorkload(objects);
      for (const [source, rc] of Object.entries(loaded.config.sources!.kubernetes!.regions)) {
        const file = mountedFile(workload, rc.kubeconfig);
        // this cluster's kubeconfig comes from a ConfigMap, every other one from a Secret
        expect(Object.keys(file?.volume ?? {}).filter((k) => k === 'configMap' || k === 'secret'), `${label}: ${rc.kubeconfig}`).toEqual([source === region ? 'configMap' : 'secret']);
        if (source === region) expect(Object.keys(find(objects, 'ConfigMap', file!.volume.configMap.name).data), label).toEqual([file!.key]);
        else expect(secrets.get(file!.volume.secret.secretName)?.has(file!.key), `${label}: ${rc.kubeconfig}`).toBe(true);
      }
    }
  });

  it('the in-cluster kubeconfig talks to kubernetes.default.svc with the pod\'s CA and the token in its token file', async () => {
    const text = find(renderedVariants()[0].objects, 'ConfigMap', geosteerWorkload(renderedVariants()[0].objects).spec.template.spec.volumes.find((v: any) => v.name === 'kubeconfig-local').configMap.name).data['kubeconfig.yaml'];
    const dir = mkdtempSync(join(tmpdir(), 'geosteer-kubeconfig-'));
    try {
      const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
      const plain = new KubeConfig();
      plain.loadFromString(text);
      expect(plain.getCurrentCluster()).toMatchObject({ server: 'https://kubernetes.default.svc', caFile: `${sa}/ca.crt` });
      // the same file with the ServiceAccount folder moved to a temporary one
      writeFileSync(join(dir, 'token'), 'projected-token-1');
      writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
      const kc = new KubeConfig();
      kc.loadFromString(text.replaceAll(sa, dir));
      const request = { headers: {} as Record<string, string>, ca: undefined as Buffer | undefined };
      await kc.applyToHTTPSOptions(request as never);
      expect(request.headers.Authorization).toBe('Bearer projected-token-1');
      expect(String(request.ca)).toContain('BEGIN CERTIFICATE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
