import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DATABASE_NODE_FLAGS } from '@pakawaaz/platform';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = `${root}server/bin/pakawaaz.js`;

/** The binary runs compiled code: make sure the build is current (a no-op when it is). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [`${root}scripts/build.mjs`, '--if-needed'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export type CliResult = { code: number | null; stdout: string; stderr: string };

/**
 * Runs the real `pakawaaz` binary as a user would (with the Node flags of its shebang), with the given environment
 * and standard input.
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  stdin?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...EMBEDDED_DATABASE_NODE_FLAGS, CLI, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
