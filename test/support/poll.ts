/**
 * The one polling helper of the tests: calls `check` every 10 ms until it returns a value
 * other than undefined or false (which it resolves with), or throws naming `what` after
 * `timeoutMs`. For waiting on real I/O; logic with time in it takes an injected clock instead.
 */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
