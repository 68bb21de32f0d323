import { describe, expect, it } from 'vitest';
import { configProblems, exampleDocument, loadDocument } from '../support/test-server.js';

// sources.kubernetes.regions.<region>: resources, readiness and selector, validated strictly.

const REGION = 'sources.kubernetes.regions.tokyo';
const withTokyo = (over: Record<string, unknown>) => (d: Record<string, any>) => (d.sources = { kubernetes: { regions: { tokyo: { kubeconfig: '/etc/geosteer/tokyo.yaml', ...over } } } });

describe('sources.kubernetes region config', () => {
  it('defaults to Ingresses only and no readiness, so earlier configs keep their meaning', () => {
    const doc = exampleDocument();
    withTokyo({})(doc);
    expect(loadDocument(doc).config.sources?.kubernetes?.regions.tokyo).toEqual({ kubeconfig: '/etc/geosteer/tokyo.yaml', resources: ['ingress'] });
  });

  it('takes every kind and readiness with its defaults', () => {
    const doc = exampleDocument();
    withTokyo({ resources: ['service', 'gateway', 'ingress'], readiness: {}, selector: { annotation: 'geosteer.io/region=tokyo' } })(doc);
    expect(loadDocument(doc).config.sources?.kubernetes?.regions.tokyo).toEqual({
      kubeconfig: '/etc/geosteer/tokyo.yaml',
      resources: ['service', 'gateway', 'ingress'],
      readiness: { require: 'all', unknown_after: 60_000 },
      selector: { annotation: 'geosteer.io/region=tokyo' },
    });
  });

  const rows: [string, Record<string, unknown>, string][] = [
    ['an unknown kind', { resources: ['ingress', 'deployment'] }, `${REGION}.resources[1]: expected one of "ingress", "service", "gateway", got "deployment"`],
    ['a kind twice', { resources: ['service', 'service'] }, `${REGION}.resources[1]: service is listed twice`],
    ['no kind', { resources: [] }, `${REGION}.resources: expected at least one of ingress, service, gateway, got []`],
    ['a single kind not in a list', { resources: 'service' }, `${REGION}.resources: expected array, got "service"`],
    ['readiness as a flag', { readiness: true }, `${REGION}.readiness: expected object, got true`],
    ['an unknown requirement', { readiness: { require: 'most' } }, `${REGION}.readiness.require: expected one of "all", "any", got "most"`],
    ['a bad unknown_after', { readiness: { unknown_after: 'soon' } }, `${REGION}.readiness.unknown_after: expected a duration like 500ms, 10s, 2m or 1h, got "soon"`],
    ['an unknown readiness key', { readiness: { probe: 'http' } }, `${REGION}.readiness: unknown key "probe"`],
    ['both label and annotation', { selector: { label: 'a=b', annotation: 'c=d' } }, `${REGION}.selector: give exactly one of label or annotation`],
    ['an empty selector', { selector: {} }, `${REGION}.selector: give exactly one of label or annotation`],
    ['a selector without a value', { selector: { label: 'tokyo' } }, `${REGION}.selector.label: expected key=value, e.g. geosteer.io/region=tokyo`],
    ['an unknown selector key', { selector: { field: 'a=b' } }, `${REGION}.selector: unknown key "field"`],
  ];
  for (const [label, over, message] of rows) {
    it(`rejects ${label}`, () => {
      const found = configProblems(withTokyo(over));
      expect(found, `${message}\nnot in:\n${found.join('\n')}`).toContain(message);
    });
  }
});
