import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { requireServices } from '@pakawaaz/test-support';

/**
 * Real external clients from Debian (radclient, oathtool, the lab's eapol_test build): present → the test
 * runs; missing → skipped with a notice, or, under PAKAWAAZ_REQUIRE_SERVICES=1 (CI), the test runs and fails.
 */
export function toolAvailable(path: string, how: string): boolean {
  if (existsSync(path)) return true;
  if (requireServices()) return true;
  console.warn(
    `\n[notice] ${path} is missing (${how}): skipping. Set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );
  return false;
}

export type ToolResult = { code: number; stdout: string; stderr: string };

/** Runs a tool with standard input, never throwing on a non-zero exit (the caller asserts on it). */
export function runTool(path: string, args: string[], input = '', timeoutMs = 30_000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      path,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        // A non-zero exit is a result; failing to start the tool at all (ENOENT, …) is an error.
        if (err && typeof err.code !== 'number' && !err.killed)
          return reject(new Error(`${path}: ${err.message}`));
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
    // A tool that never reads standard input (eapol_test) closes it early: that is not an error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

export const RADCLIENT = process.env.PAKAWAAZ_RADCLIENT ?? '/usr/bin/radclient';
export const OATHTOOL = process.env.PAKAWAAZ_OATHTOOL ?? '/usr/bin/oathtool';
/** Built by lab/tools/build-eapol-test.sh (Debian's eapoltest has no USIM simulator). */
export const EAPOL_TEST = process.env.PAKAWAAZ_EAPOL_TEST ?? '/usr/local/lib/pakawaaz/eapol_test';
