import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildCli } from './cli.js';
import { COMMANDS, modulesFor } from './manifest.js';

/*
 * `pakawaaz --help` and the dispatch come from manifest.ts, so that a call imports only its command's
 * module. These tests keep the manifest true to the modules: a new or renamed top-level command, a changed
 * description, or a module missing from a command's list fails here, with the line to write.
 */
const io = { env: {}, stdout: () => undefined, stderr: () => undefined };
const full = () => buildCli(io);
const light = (...args: string[]) => buildCli(io, args);

function helpOf(program: Command, path: string[]): string {
  let cmd = program;
  for (const name of path) {
    const next = cmd.commands.find((c) => c.name() === name);
    if (!next)
      throw new Error(
        `\`pakawaaz ${path.join(' ')}\` is missing: list the module that adds it in COMMANDS['${path[0]}'].modules`,
      );
    cmd = next;
  }
  return cmd.helpInformation();
}

describe('the CLI manifest (manifest.ts)', () => {
  it('names every top-level command the modules register, in order, with its help line', async () => {
    const program = await full();
    const help = program.createHelp();
    const registered = program.commands.map((c) => ({
      name: c.name(),
      term: help.subcommandTerm(c),
      description: c.description(),
    }));
    const listed = Object.entries(COMMANDS).map(([name, c]) => ({
      name,
      term: c.args ? `${name} ${c.args}` : name,
      description: c.description,
    }));
    expect(listed).toEqual(registered);
  });

  it('answers `pakawaaz --help` as the full command tree would, without loading a module', async () => {
    expect((await light('--help')).helpInformation()).toBe((await full()).helpInformation());
    expect(modulesFor(['--help'])).toEqual([]);
    expect(modulesFor([])).toEqual([]);
    expect(modulesFor(['no-such-command'])).toEqual([]);
    expect(modulesFor(['toString'])).toEqual([]);
  });

  it.each(Object.keys(COMMANDS))('`pakawaaz %s` loads every module that adds to it', async (name) => {
    const program = await full();
    const own = await light(name);
    const paths = (cmd: Command, prefix: string[]): string[][] => [
      prefix,
      ...cmd.commands.flatMap((c) => paths(c, [...prefix, c.name()])),
    ];
    const top = program.commands.find((c) => c.name() === name)!;
    for (const path of paths(top, [name])) expect(helpOf(own, path)).toBe(helpOf(program, path));
    expect(modulesFor(['help', name])).toBe(modulesFor([name]));
  });
});
