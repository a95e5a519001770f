import { readFileSync } from 'node:fs';
import { CliError } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

type InspectFlags = {
  verify?: boolean;
  roots?: string;
  at?: string;
  challenge?: string;
  status?: string;
  bootKey?: string[];
  minPatchLevel?: string;
  appPackage?: string;
  appDigest?: string[];
  strongbox?: boolean;
};

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      1,
    );
  }
}

/**
 * `pakawaaz attestation inspect`: reads an Android Key Attestation chain and prints its KeyDescription as
 * JSON, locally (no server, nothing sent); with --verify also a verdict with reason codes. Exit 0 read (and
 * accepted), 2 refused, 1 unreadable.
 */
export const registerAttestationCommands: RegisterCommands = (program, { io }) => {
  const attestation = program
    .command('attestation')
    .description('Android Key Attestation chains, inspected offline');
  attestation
    .command('inspect <chain>')
    .description(
      'print what an attestation chain (PEM, leaf first) attests, as JSON; --verify judges it (exit 0 accepted, 2 refused, 1 unreadable)',
    )
    .option('--verify', 'check the chain, revocation, challenge and policy, and add a verdict')
    .option('--roots <pem>', "trusted roots (PEM bundle) instead of Google's built-in root")
    .option('--at <iso-8601>', 'judge validity at this time instead of now (e.g. 2025-01-31T12:00:00Z)')
    .option('--challenge <hex>', 'the challenge the device was given (hex)')
    .option('--status <json>', "revocation list in Google's attestation/status format (a local mirror)")
    .option('--boot-key <hex>', 'verified-boot key of our OS builds (SHA-256 hex); repeat for more', collect)
    .option('--min-patch-level <yyyy-mm>', 'oldest OS, vendor and boot patch level accepted')
    .option('--app-package <name>', 'our agent package that must have made the key')
    .option('--app-digest <hex>', "SHA-256 of the agent's signing certificate; repeat for more", collect)
    .option('--strongbox', 'accept StrongBox keys only')
    .action(async (chain: string, o: InspectFlags) => {
      const { inspectAttestationCommand, AttestationInputError, InspectArgumentError } =
        await import('@pakawaaz/device-mgmt/attestation');
      const chainPem = readText(chain, 'the chain');
      try {
        const { output, exitCode } = await inspectAttestationCommand({
          chainPem,
          verify: o.verify,
          rootsPem: o.roots === undefined ? undefined : readText(o.roots, 'the roots'),
          at: o.at,
          challenge: o.challenge,
          statusJson: o.status === undefined ? undefined : readText(o.status, 'the status list'),
          bootKeys: o.bootKey,
          minPatchLevel: o.minPatchLevel,
          appPackage: o.appPackage,
          appDigests: o.appDigest,
          strongBox: o.strongbox,
        });
        io.stdout(`${JSON.stringify(output, null, 2)}\n`);
        if (exitCode !== 0) throw new CliError('', exitCode);
      } catch (err) {
        if (err instanceof AttestationInputError) throw new CliError(`${err.code}: ${err.message}`, 1);
        if (err instanceof InspectArgumentError) throw new CliError(err.message, 1);
        throw err;
      }
    });
};
