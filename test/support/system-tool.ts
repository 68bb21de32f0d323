import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

const IN_CI = process.env.CI === 'true';

/** True when `command` runs (found on PATH or at its path). */
export function toolInstalled(command: string, versionArgs: string[]): boolean {
  return spawnSync(command, versionArgs, { stdio: 'ignore' }).status === 0;
}

/**
 * `describe` for suites that need a program from a Debian package. Without it: in CI
 * (CI=true) the suite fails saying what to install; elsewhere it is skipped with a loud warning.
 */
export function describeWithTool(name: string, tool: { command: string; versionArgs: string[]; apt: string }, body: () => void): void {
  if (toolInstalled(tool.command, tool.versionArgs)) {
    describe(name, body);
    return;
  }
  const message = `${tool.command} is not installed: install it (apt-get install ${tool.apt}) to run "${name}"`;
  if (IN_CI) {
    describe(name, () => {
      it(`needs ${tool.command}`, () => {
        throw new Error(`${message}; CI=true, so this is a failure, not a skip`);
      });
    });
    return;
  }
  console.warn(`\n!!! SKIPPING "${name}": ${message}\n`);
  describe.skip(name, body);
}
