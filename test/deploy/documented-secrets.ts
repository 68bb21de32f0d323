import { readFileSync } from 'node:fs';

/**
 * The Secrets the operator creates by hand, as the README's "Deploy on Kubernetes" section
 * creates them (`kubectl create secret generic NAME --from-literal=KEY=... --from-file=KEY=...`):
 * secret name -> its keys. The manifests may reference only these (or Secrets they define).
 */
export function documentedSecrets(readme = 'README.md'): Map<string, Set<string>> {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf('## Deploy on Kubernetes');
  if (start < 0) throw new Error(`${readme} has no "Deploy on Kubernetes" section`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end).replace(/\\\n/g, ' ');
  const secrets = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const m = /create secret generic (\S+)(.*)$/.exec(line);
    if (!m) continue;
    const keys = secrets.get(m[1]) ?? new Set<string>();
    for (const k of m[2].matchAll(/--from-(?:literal|file)=([A-Za-z0-9._-]+)=/g)) keys.add(k[1]);
    secrets.set(m[1], keys);
  }
  return secrets;
}
