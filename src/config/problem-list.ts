// What a refused config prints stays readable whatever the file holds: each problem is
// one line of bounded length with control characters escaped (a YAML error quotes the
// offending source, which for a binary file is megabytes of terminal escapes), and only
// the first problems are listed, the rest counted.

/** Problems listed for one config before the rest are only counted. */
export const MAX_LISTED_PROBLEMS = 50;
/** Characters of one problem's text before it is cut. */
export const MAX_PROBLEM_CHARS = 300;

// C0 and C1 controls, DEL, and UTF-16 surrogates that are not part of a pair.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** One line of at most MAX_PROBLEM_CHARS (plus the note saying how much was cut), controls shown as \uXXXX. */
export function boundProblem(problem: string): string {
  // cut first: escaping a 100 MB string only to throw most of it away would be the problem itself
  const cut = problem.length > MAX_PROBLEM_CHARS;
  const head = (cut ? problem.slice(0, MAX_PROBLEM_CHARS) : problem).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut ? `${head}... (${problem.length - MAX_PROBLEM_CHARS} more characters)` : head;
}

/** The problems to report: the first MAX_LISTED_PROBLEMS, each bounded, then "... and N more" of `total` (default: all given). */
export function boundProblems(problems: readonly string[], total = problems.length): string[] {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map(boundProblem);
  if (total > listed.length) listed.push(`... and ${total - listed.length} more problem(s) not listed; fix these and check again`);
  return listed;
}

/** A value quoted for a message, cut to `max` characters: `"heavy"`, `{"a":1,...} (2048 characters)`. */
export function quoteValue(value: unknown, max = 80): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  text ??= String(value);
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}
