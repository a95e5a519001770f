import {
  readAttestationChain,
  judgeAttestation,
  type CertificateSummary,
  type Verdict,
} from './attestation.js';
import type { AttestationFacts } from './key-description.js';
import { deadline } from './limits.js';
import type { AttestationPolicy } from './policy.js';
import {
  googleAttestationRoots,
  parseRevocationList,
  trustRootsFromPem,
  type RevocationList,
} from './trust.js';

/** `pakawaaz attestation inspect`'s inputs: file contents already read, flags as typed. */
export type InspectArgs = {
  chainPem: string;
  verify?: boolean;
  rootsPem?: string;
  at?: string;
  challenge?: string;
  statusJson?: string;
  bootKeys?: readonly string[];
  minPatchLevel?: string;
  appPackage?: string;
  appDigests?: readonly string[];
  strongBox?: boolean;
};

export type InspectOutput = AttestationFacts & { certificates: CertificateSummary[]; verdict?: Verdict };

/** A flag or side file that cannot be used; the message says which and how to fix it. */
export class InspectArgumentError extends Error {
  override name = 'InspectArgumentError';
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function hexList(values: readonly string[] | undefined, flag: string): string[] {
  return (values ?? []).map((v) => {
    const h = v.replace(/:/g, '');
    if (!HEX.test(h)) throw new InspectArgumentError(`${flag} ${v}: expected hex (e.g. from sha256sum)`);
    return h.toLowerCase();
  });
}

/** `2024-05`, `202405` or `20240505` to YYYYMM(DD). */
function patchLevel(v: string): number {
  const m = /^(\d{4})-?(\d{2})(?:-?(\d{2}))?$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12)
    throw new InspectArgumentError(`--min-patch-level ${v}: expected YYYY-MM (e.g. 2024-05)`);
  return Number(`${m[1]}${m[2]}`);
}

function pointInTime(v: string | undefined): Date {
  if (v === undefined) return new Date();
  const t = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(v) ? new Date(v) : new Date(NaN);
  if (Number.isNaN(t.getTime()))
    throw new InspectArgumentError(`--at ${v}: expected an ISO-8601 date or time, e.g. 2026-01-31T12:00:00Z`);
  return t;
}

function revocations(json: string | undefined): RevocationList | null {
  if (json === undefined) return null;
  try {
    return parseRevocationList(JSON.parse(json));
  } catch (err) {
    throw new InspectArgumentError(`--status: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function policyFromArgs(a: InspectArgs): AttestationPolicy {
  const digests = hexList(a.appDigests, '--app-digest');
  if (digests.length && !a.appPackage)
    throw new InspectArgumentError('--app-digest needs --app-package (the agent package it signs)');
  if (a.appPackage && !digests.length)
    throw new InspectArgumentError('--app-package needs --app-digest (SHA-256 of its signing certificate)');
  return {
    requireStrongBox: a.strongBox ?? false,
    trustedBootKeys: hexList(a.bootKeys, '--boot-key'),
    minimumPatchLevel: a.minPatchLevel === undefined ? null : patchLevel(a.minPatchLevel),
    application: a.appPackage ? { packageName: a.appPackage, signatureDigests: digests } : null,
  };
}

/**
 * Reads a chain, prints its facts and, with `verify`, judges it. Exit code: 0 read (and accepted), 2 refused;
 * unreadable input throws AttestationInputError and bad flags InspectArgumentError (exit 1 in the CLI).
 */
export async function inspectAttestationCommand(
  a: InspectArgs,
): Promise<{ output: InspectOutput; exitCode: 0 | 2 }> {
  if (a.challenge !== undefined && !HEX.test(a.challenge))
    throw new InspectArgumentError(
      `--challenge ${a.challenge}: expected the challenge as hex (2 digits a byte)`,
    );
  // Flags are checked before the chain is read: a typo must not look like a bad chain.
  const policy = a.verify ? policyFromArgs(a) : null;
  const at = pointInTime(a.at);
  const status = a.verify ? revocations(a.statusJson) : null;
  const roots = a.verify
    ? a.rootsPem === undefined
      ? googleAttestationRoots()
      : trustRootsFromPem(a.rootsPem, '--roots certificate')
    : null;
  const clock = deadline();
  const read = readAttestationChain(a.chainPem, clock);
  const output: InspectOutput = { ...read.facts, certificates: read.summaries };
  if (!policy || !roots) return { output, exitCode: 0 };
  output.verdict = await judgeAttestation(
    read,
    { roots, at, challenge: a.challenge ?? null, revocations: status, policy },
    clock,
  );
  return { output, exitCode: output.verdict.ok ? 0 : 2 };
}
