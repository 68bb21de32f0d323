import * as client from '@kubernetes/client-node';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { K8sObject } from './render.js';

// Two schema checks for every rendered object:
// - kubernetes-models' validators (the Kubernetes OpenAPI schemas, and the Prometheus
//   Operator CRD schemas, compiled with ajv): types, required fields, enums, formats;
// - unknown fields, which those schemas let through but `kubectl apply` (strict field
//   validation, the default since 1.27) refuses: checked against the field lists of
//   @kubernetes/client-node's generated models (attributeTypeMap), for built-in kinds.

interface Validating {
  validate(): void;
}
type ModelClass = new (data: any) => Validating;

const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

interface AttributeType {
  readonly baseName: string;
  readonly type: string;
}
type ClientModel = { getAttributeTypeMap(): AttributeType[] };
const clientModels = client as unknown as Record<string, ClientModel | undefined>;

/** Fields of `value` its model type does not have, as `path: unknown field "x"`. */
function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1], `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) unknownFields(v, map[1], `${path}.${k}`, out);
    return;
  }
  const model = clientModels[type];
  if (typeof model?.getAttributeTypeMap !== 'function' || typeof value !== 'object') return; // string, number, IntOrString, ...
  const fields = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [key, v] of Object.entries(value)) {
    const fieldType = fields.get(key);
    if (fieldType === undefined) out.push(`${path === '' ? '' : `${path}.`}${key}: unknown field (not in ${type})`);
    else unknownFields(v, fieldType, path === '' ? key : `${path}.${key}`, out);
  }
}

/** Every schema problem of one object; empty when it is valid. */
export function schemaProblems(object: K8sObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = MODELS[key];
  if (!Model) return [`${key}: no schema known for this kind; add its kubernetes-models class to MODELS`];
  const problems: string[] = [];
  try {
    new Model(object).validate();
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (!object.apiVersion.includes('.') || object.apiVersion.startsWith('rbac.authorization.k8s.io/') || object.apiVersion.startsWith('networking.k8s.io/')) {
    unknownFields(object, `V1${object.kind}`, '', problems);
  }
  return problems;
}
