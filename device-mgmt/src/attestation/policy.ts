import type { AttestationFacts } from './key-description.js';

/** Why an attestation is refused; stable codes, for the API, the CLI and the NOC. */
export type AttestationReason =
  | 'CHAIN_INVALID'
  | 'ROOT_UNTRUSTED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_REVOKED'
  | 'CHALLENGE_MISMATCH'
  | 'SECURITY_LEVEL'
  | 'DEVICE_UNLOCKED'
  | 'BOOT_STATE'
  | 'BOOT_KEY_UNKNOWN'
  | 'PATCH_LEVEL'
  | 'APPLICATION_ID'
  | 'KEY_ORIGIN';

export type Refusal = { code: AttestationReason; message: string };

/** What a device must attest. Byte strings are hex (any case). */
export type AttestationPolicy = {
  /** Refuse TrustedEnvironment: only a StrongBox (secure element) key is accepted. */
  requireStrongBox: boolean;
  /** Verified-boot keys of our own OS builds (SHA-256 of the AVB key, as attested): SelfSigned needs one. */
  trustedBootKeys: readonly string[];
  /** Oldest OS, vendor and boot patch level accepted, as YYYYMM (compared by month); null: not checked. */
  minimumPatchLevel: number | null;
  /** Our agent: its package name and the SHA-256 digests of its signing certificates; null: not checked. */
  application: { packageName: string; signatureDigests: readonly string[] } | null;
};

/**
 * Port: what hardened-os knows about our OS builds. device-mgmt reads it to build the enrolment policy and to
 * judge compliance at every check-in; the server binds it to hardened-os's registry (the CLI takes the same
 * facts from flags when offline). Model labels are what the device row holds (attested or reported model).
 */
export type HardenedOsReleases = {
  /** SHA-256 (lower-case hex) of every verified-boot key that signs our builds (never a compromised one). */
  bootKeys(): Promise<readonly string[]>;
  /** What the registry says of a boot key for a model; `unknown` when it does not know the key. */
  bootKeyStatus(
    model: string | null,
    digest: string,
  ): Promise<'active' | 'retired' | 'compromised' | 'unknown'>;
  /** Digests (lower-case hex) of every key marked compromised, whatever the model. */
  compromisedBootKeys(): Promise<readonly string[]>;
  /** The key signs our builds (active or retired) for this model (any model when the model is not known). */
  isOurBootKey(model: string | null, digest: string): Promise<boolean>;
  /** Oldest patch level (YYYYMM) a device of this institution may run, or null for no minimum. */
  minimumPatchLevel(institutionId?: string | null): Promise<number | null>;
  /** The newest build for a model on a channel (stable ⊂ beta ⊂ pilot), or null. */
  latestRelease(
    model: string,
    channel: 'stable' | 'beta' | 'pilot',
  ): Promise<{ buildId: string; fingerprint: string; version: string; securityPatchLevel: string } | null>;
};
export const HARDENED_OS_RELEASES = Symbol.for('pakawaaz.device-mgmt.HardenedOsReleases');

/**
 * The verified-boot key digest of the lab's simulated OS builds (SHA-256 of "pakawaaz lab verified-boot key",
 * as simulators/handset attests it): trusted with the lab root and only then, like the root itself.
 */
export const LAB_VERIFIED_BOOT_KEY = 'ab8e0a68d2ee9f4ad0e6c640c1dae087c133ce2b81526cf08fe8e28254aecfa3';

/** A patch level to its month: YYYYMMDD (vendor, boot) and YYYYMM (os) both become YYYYMM. */
export const patchMonth = (level: number): number => (level > 999_999 ? Math.floor(level / 100) : level);

const norm = (hex: string) => hex.toLowerCase();

/** The policy checks on the KeyDescription facts; the chain is checked elsewhere (chain.ts). */
export function policyRefusals(
  facts: AttestationFacts,
  policy: AttestationPolicy,
  challengeHex: string | null,
): Refusal[] {
  const out: Refusal[] = [];
  const refuse = (code: AttestationReason, message: string) => out.push({ code, message });

  if (challengeHex !== null && facts.attestationChallenge !== norm(challengeHex))
    refuse('CHALLENGE_MISMATCH', 'the attested challenge is not the one this enrolment issued');

  for (const [field, value] of [
    ['attestationSecurityLevel', facts.attestationSecurityLevel],
    ['keymasterSecurityLevel', facts.keymasterSecurityLevel],
  ] as const) {
    if (value === 'Software') refuse('SECURITY_LEVEL', `${field} is Software: the key is not in hardware`);
    else if (policy.requireStrongBox && value !== 'StrongBox')
      refuse('SECURITY_LEVEL', `${field} is ${value}; the policy requires StrongBox`);
  }

  const rot = facts.rootOfTrust;
  if (!rot) {
    refuse('BOOT_STATE', 'the hardware attested no root of trust (verified boot state unknown)');
  } else {
    if (!rot.deviceLocked) refuse('DEVICE_UNLOCKED', 'the bootloader is unlocked');
    if (rot.verifiedBootState === 'SelfSigned') {
      if (!policy.trustedBootKeys.map(norm).includes(rot.verifiedBootKey))
        refuse(
          'BOOT_KEY_UNKNOWN',
          `the OS is signed with boot key ${rot.verifiedBootKey}, which is not ours`,
        );
    } else if (rot.verifiedBootState !== 'Verified') {
      refuse('BOOT_STATE', `verified boot state is ${rot.verifiedBootState}`);
    }
  }

  if (policy.minimumPatchLevel !== null) {
    const min = patchMonth(policy.minimumPatchLevel);
    for (const field of ['osPatchLevel', 'vendorPatchLevel', 'bootPatchLevel'] as const) {
      const v = facts[field];
      if (v === null) refuse('PATCH_LEVEL', `${field} is not attested by the hardware`);
      else if (patchMonth(v) < min) refuse('PATCH_LEVEL', `${field} ${v} is older than the minimum ${min}`);
    }
  }

  if (policy.application) {
    const app = facts.attestationApplicationId;
    const ours = policy.application;
    const allowed = ours.signatureDigests.map(norm);
    if (!app) refuse('APPLICATION_ID', 'the attestation names no application');
    else if (!app.packages.some((p) => p.name === ours.packageName))
      refuse('APPLICATION_ID', `the key was not made by ${ours.packageName}`);
    else if (app.signatureDigests.length === 0 || app.signatureDigests.some((d) => !allowed.includes(d)))
      refuse('APPLICATION_ID', `${ours.packageName} is not signed with our signing key`);
  }

  if (facts.origin !== 'Generated')
    refuse(
      'KEY_ORIGIN',
      `the key origin is ${facts.origin ?? 'not attested'}; it must be generated on the device`,
    );
  return out;
}
