import type { Command } from 'commander';
import { Command as Program, Help } from './commander.js';
import { VERSION } from '../version.js';
import { apiClient } from './api-client.js';
import type { CliContext, CliIo } from './context.js';
import { ALL_MODULES, COMMANDS, modulesFor } from './manifest.js';

export type { CliIo } from './context.js';

/**
 * Builds the `pakawaaz` command tree. State-changing commands go through the HTTP API, never the database.
 * Given the command line's arguments, it imports only the command modules they need (manifest.ts): the
 * top-level command's, or none for `--help`, whose list comes from the manifest. Without arguments it
 * registers every module (the full tree, for tests).
 */
export async function buildCli(io: CliIo, args?: readonly string[]): Promise<Command> {
  const ctx: CliContext = {
    io,
    api: (opts) => apiClient(io.env, opts),
    print: (value, json, human) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : human()),
  };
  const program = new Program('pakawaaz')
    .description(
      'Pakawaaz control plane: server and operator CLI (talks to PAKAWAAZ_URL with PAKAWAAZ_TOKEN)',
    )
    .version(VERSION)
    // Program options only before the command: `os publish --version 15.2` is the OS version, not ours.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const modules = args ? modulesFor(args) : ALL_MODULES;
  if (modules.length === 0) return listOnly(program);
  for (const register of await Promise.all(modules.map((load) => load()))) register(program, ctx);
  return program;
}

/** The top-level commands as the manifest describes them, for `--help`, suggestions and usage errors. */
function listOnly(program: Command): Command {
  for (const [name, { description }] of Object.entries(COMMANDS))
    program.command(name).description(description);
  const standard = new Help();
  return program.configureHelp({
    subcommandTerm: (cmd) => {
      const entry = Object.hasOwn(COMMANDS, cmd.name()) ? COMMANDS[cmd.name()] : undefined;
      if (!entry) return standard.subcommandTerm(cmd); // `help [command]`
      return entry.args ? `${cmd.name()} ${entry.args}` : cmd.name();
    },
  });
}
