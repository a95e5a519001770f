import { CommanderError } from 'commander';
import { ConfigError, DataDirLockedError, DatabaseUnavailableError } from '@pakawaaz/platform';
import { CliError } from './api-client.js';
import { buildCli } from './cli.js';

/** Entry of the `pakawaaz` binary: exit codes 0 ok, 1 failed, 2 usage, 3 server unreachable, 4 not allowed, 5 audit chain broken. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildCli({
    env: process.env,
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
  });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      if (err.message) process.stderr.write(`pakawaaz: ${err.message}\n`);
      return err.exitCode;
    }
    if (
      err instanceof ConfigError ||
      err instanceof DatabaseUnavailableError ||
      err instanceof DataDirLockedError
    ) {
      process.stderr.write(`pakawaaz: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`pakawaaz: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
