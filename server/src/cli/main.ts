import { CommanderError } from './commander.js';
import { baseUrlOf, CliError } from './api-client.js';
import { buildCli } from './cli.js';
import { cliErrorFor, EXIT } from './exit-codes.js';

/**
 * Entry of the `pakawaaz` binary; exit codes in exit-codes.ts (README "Exit codes"). It loads commander,
 * the CLI's HTTP transport and the module of the command that runs (manifest.ts): a command that needs the
 * server's code (start, migrate, offline audit, open5gs render) imports it when it runs, so API commands
 * start fast (`npm run bench /cli.bench`).
 */
export async function runCli(argv: string[]): Promise<number> {
  try {
    const program = await buildCli(
      {
        env: process.env,
        stdout: (s) => void process.stdout.write(s),
        stderr: (s) => void process.stderr.write(s),
      },
      argv.slice(2),
    );
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (caught) {
    if (caught instanceof CommanderError) return caught.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const err = cliErrorFor(caught, baseUrlOf(process.env));
    if (err instanceof CliError) {
      if (err.message) process.stderr.write(`pakawaaz: ${err.message}\n`);
      return err.exitCode;
    }
    // Start-up failures of the offline commands (config, database, data folder lock) say what to do.
    if (err instanceof Error && (await isOperatorError(err))) {
      process.stderr.write(`pakawaaz: ${err.message}\n`);
      return EXIT.failed;
    }
    process.stderr.write(`pakawaaz: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.failed;
  }
}

/** Loaded only on this path: the platform kernel is what the offline commands already loaded. */
async function isOperatorError(err: Error): Promise<boolean> {
  const { ConfigError, DataDirLockedError, DatabaseUnavailableError } = await import('@pakawaaz/platform');
  return (
    err instanceof ConfigError || err instanceof DatabaseUnavailableError || err instanceof DataDirLockedError
  );
}
