import type { Command } from 'commander';
import { InvalidArgumentError } from './commander.js';
import type { Env } from '@pakawaaz/platform';
import type { Api } from './api-client.js';

export type CliIo = {
  env: Env;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdin?: () => string;
};

/**
 * What every command module gets: the IO, a lazily built API client (`api({ auth: false })` for the public
 * routes), and a printer for --json.
 */
export type CliContext = {
  io: CliIo;
  api: (opts?: { auth?: boolean }) => Api;
  print: (value: unknown, json: boolean, human: () => string) => void;
};

/** A command module adds its commands to the program (one module per domain: commands/<domain>.ts). */
export type RegisterCommands = (program: Command, ctx: CliContext) => void;

export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};
