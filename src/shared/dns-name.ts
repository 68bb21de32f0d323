/**
 * The one normal form of a domain name as geosteer stores and compares names: surrounding
 * white space removed, lower case (DNS names compare case-insensitively, RFC 4343), and
 * without the trailing dot of the absolute presentation form.
 */
export function normalizeName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}
