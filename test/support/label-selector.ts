// Equality- and existence-based label selectors as the API server parses them
// (k8s.io/apimachinery labels.Parse): "k=v", "k==v", "k!=v", "k", "!k", joined by commas.
// Set-based terms (in, notin) are not needed by geosteer and parse as errors here.

/** One term of a label selector. */
export type LabelRequirement = { key: string; op: '=' | '!=' | 'exists' | '!exists'; value: string };

const KEY = /^([a-z0-9A-Z.-]+\/)?[a-z0-9A-Z]([a-z0-9A-Z_.-]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([a-z0-9A-Z_.-]*[a-z0-9A-Z])?)?$/;

/** The requirements of `text`, or undefined when the API server would answer 400. */
export function parseLabelSelector(text: string): LabelRequirement[] | undefined {
  if (text.trim() === '') return [];
  const out: LabelRequirement[] = [];
  for (const term of text.split(',').map((t) => t.trim())) {
    const m = /^(!?)([^=!]+)(?:(==|=|!=)(.*))?$/.exec(term);
    if (!m || !KEY.test(m[2])) return undefined;
    if (m[3] === undefined) out.push({ key: m[2], op: m[1] ? '!exists' : 'exists', value: '' });
    else if (m[1] || !VALUE.test(m[4])) return undefined;
    else out.push({ key: m[2], op: m[3] === '!=' ? '!=' : '=', value: m[4] });
  }
  return out;
}

/** True when `labels` satisfy every requirement. */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    if (r.op === 'exists') return has;
    if (r.op === '!exists') return !has;
    if (r.op === '=') return has && labels[r.key] === r.value;
    return !has || labels[r.key] !== r.value;
  });
}
