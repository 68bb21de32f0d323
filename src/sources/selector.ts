import type { KubernetesObject } from '@kubernetes/client-node';

/** How a region's objects are picked: a label (sent to the API server) or an annotation (filtered here). */
export type ObjectSelector = { readonly kind: 'label' | 'annotation'; readonly key: string; readonly value: string };

/** Parses the config's `key=value` (the schema has checked its form). */
export function parseSelector(kind: 'label' | 'annotation', text: string): ObjectSelector {
  const i = text.indexOf('=');
  return { kind, key: text.slice(0, i), value: text.slice(i + 1) };
}

/** The `labelSelector=` query for a label selector; undefined for annotations, which the API server cannot filter. */
export function labelSelectorOf(selector: ObjectSelector): string | undefined {
  return selector.kind === 'label' ? `${selector.key}=${selector.value}` : undefined;
}

/** True when the object carries the selector's label or annotation. */
export function selects(selector: ObjectSelector, obj: KubernetesObject): boolean {
  const bag = selector.kind === 'label' ? obj.metadata?.labels : obj.metadata?.annotations;
  return bag?.[selector.key] === selector.value;
}
