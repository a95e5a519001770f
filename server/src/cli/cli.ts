import { Command } from 'commander';
import { VERSION } from '../version.js';
import { apiClient } from './api-client.js';
import { registerAttestationCommands } from './commands/attestation.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerIdentityCommands } from './commands/identity.js';
import { registerMilenageCommands } from './commands/milenage.js';
import { registerNetworkCommands } from './commands/network.js';
import { registerNetworkHealthCommands } from './commands/network-health.js';
import { registerServerCommands } from './commands/server.js';
import { registerSimCommands } from './commands/sims.js';
import { registerSubscriberCommands } from './commands/subscribers.js';
import { registerUserCommands } from './commands/users.js';
import { registerUserImportCommands } from './commands/user-imports.js';
import { registerRadiusCommands } from './commands/radius.js';
import type { CliContext, CliIo, RegisterCommands } from './context.js';

export type { CliIo } from './context.js';

/** Command modules, one per domain; a domain adds its module here. */
const COMMANDS: RegisterCommands[] = [
  registerServerCommands,
  registerIdentityCommands,
  registerUserCommands,
  registerUserImportCommands,
  registerRadiusCommands,
  registerAuditCommands,
  registerSimCommands,
  registerSubscriberCommands,
  registerMilenageCommands,
  registerAttestationCommands,
  registerNetworkCommands,
  registerNetworkHealthCommands,
];

/** Builds the `pakawaaz` command tree. State-changing commands go through the HTTP API, never the database. */
export function buildCli(io: CliIo): Command {
  const ctx: CliContext = {
    io,
    api: (opts) => apiClient(io.env, io.fetch, opts),
    print: (value, json, human) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : human()),
  };
  const program = new Command('pakawaaz')
    .description(
      'Pakawaaz control plane: server and operator CLI (talks to PAKAWAAZ_URL with PAKAWAAZ_TOKEN)',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const register of COMMANDS) register(program, ctx);
  return program;
}
