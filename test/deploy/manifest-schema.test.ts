import { expect, it } from 'vitest';
import { schemaProblems } from './manifest-schema.js';
import { describeWithKubectl, find, renderedVariants } from './render.js';

describeWithKubectl('deploy/: every rendered object against the Kubernetes API schemas', () => {
  it('renders every overlay, alone and with the hostNetwork component, to the expected kinds', () => {
    const kinds = (label: string) =>
      renderedVariants()
        .find((v) => v.label === label)!
        .objects.map((o) => o.kind)
        .sort();
    const common = ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'ConfigMap', 'ConfigMap', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'Secret', 'ServiceAccount', 'ServiceMonitor'];
    const edge = [...common, 'Deployment', 'Service', 'Service'].sort();
    for (const region of ['singapore', 'tokyo', 'us-west']) expect(kinds(`overlays/${region}`), region).toEqual(edge);
    // taiwan also hosts the shared Redis and exposes it to the other regions
    expect(kinds('overlays/taiwan')).toEqual([...edge, 'NetworkPolicy', 'NetworkPolicy', 'Service', 'Service', 'StatefulSet'].sort());
    // the DaemonSet replaces the Deployment and the LoadBalancer Service
    expect(kinds('overlays/tokyo + components/hostnetwork')).toEqual([...common, 'DaemonSet', 'Service'].sort());
  });

  it('every object of every variant passes its schema, with no unknown fields', () => {
    for (const { label, objects } of renderedVariants()) {
      for (const o of objects) expect(schemaProblems(o), `${label}: ${o.kind} ${o.metadata.name}`).toEqual([]);
    }
  });

  it('the checks catch a wrong type, a missing required field and a misspelt field', () => {
    const deployment = structuredClone(find(renderedVariants()[0].objects, 'Deployment'));
    deployment.spec.replicas = 'two';
    deployment.spec.template.spec.containers[0].imagePullPolcy = 'Always';
    delete deployment.spec.template.spec.containers[0].name;
    const problems = schemaProblems(deployment);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe('data/spec/replicas must be integer, data/spec/template/spec/containers/0 must have required property name');
    expect(problems[1]).toBe('spec.template.spec.containers[0].imagePullPolcy: unknown field (not in V1Container)');
    const monitor = structuredClone(find(renderedVariants()[0].objects, 'ServiceMonitor'));
    delete monitor.spec.selector;
    expect(schemaProblems(monitor)).toEqual(['data/spec must have required property selector']);
  });
});
