import { APP_FLEET_KEY_PREFIX } from '../commands/command-types.js';
import type { ComplianceReason } from '../compliance/compliance.js';
import type { CommandState } from '../commands/device-commands.schema.js';

/*
 * The app store's view of the fleet (its APP_FLEET port; the server binds it to AppFleetService). These types
 * mirror app-store's port structurally: device-mgmt imports nothing of app-store, and the server's binding
 * (`(f: AppFleetService): AppFleet => f`) fails to compile if the two drift apart.
 */

/** Most devices one `devices` call returns and most commands one `queue` call takes (the port's FLEET_PAGE). */
export const APP_FLEET_PAGE = 1_000;
/** Longest idempotency key (and key prefix) the app store may use. */
export const APP_FLEET_KEY_MAX = 200;

export type AppFleetApp = { package: string; versionCode: number; crashes: number };
export type AppFleetDevice = {
  id: string;
  institutionId: string;
  apps: AppFleetApp[];
  attestationFailed: boolean;
};
export type AppFleetCommand =
  | {
      readonly deviceId: string;
      readonly type: 'install_app';
      readonly params: { readonly package: string; readonly versionCode: number; readonly apkSha256: string };
      readonly key: string;
    }
  | {
      readonly deviceId: string;
      readonly type: 'uninstall_app';
      readonly params: { readonly package: string; readonly versionCode: number };
      readonly key: string;
    };
export type AppFleetOutcome = { deviceId: string; key: string; state: CommandState; detail: string | null };

/**
 * The compliance reasons that say the hardware's evidence is bad, which the store reads as `attestationFailed`:
 * the attested boot state is not verified and locked (BOOT_STATE), the attested verified-boot key is one
 * hardened-os marked compromised (BOOT_KEY_COMPROMISED), or no attestation was accepted for longer than the
 * policy allows (ATTESTATION_STALE). A refused re-attestation is not stored on the device (it is audited, and
 * after an OS update it fails that update): the device keeps its last accepted facts and time, so a handset
 * that cannot attest any more shows as ATTESTATION_STALE once the policy's maxAttestationAgeHours pass.
 * PATCH_LEVEL is left out: an old patch is an OS matter, not evidence the hardware refused.
 */
export const ATTESTATION_REASONS = [
  'BOOT_STATE',
  'BOOT_KEY_COMPROMISED',
  'ATTESTATION_STALE',
] as const satisfies readonly ComplianceReason[];

export function attestationFailed(reasons: readonly string[]): boolean {
  return reasons.some((r) => (ATTESTATION_REASONS as readonly string[]).includes(r));
}

/**
 * The apps of a stored check-in report. Reports were checked at check-in; ones stored before handsets counted
 * crashes carry none (0).
 */
export function appsOf(apps: unknown): AppFleetApp[] {
  if (!Array.isArray(apps)) return [];
  return apps.flatMap((a: unknown) => {
    const { package: pkg, versionCode, crashes } = (a ?? {}) as Record<string, unknown>;
    if (typeof pkg !== 'string' || typeof versionCode !== 'number') return [];
    return [{ package: pkg, versionCode, crashes: typeof crashes === 'number' ? crashes : 0 }];
  });
}

/** A key (or key prefix) the app store may use: `app:` first, at most APP_FLEET_KEY_MAX characters. */
export function isAppFleetKey(key: string): boolean {
  return key.startsWith(APP_FLEET_KEY_PREFIX) && [...key].length <= APP_FLEET_KEY_MAX;
}

/**
 * The least string greater than every string that starts with `prefix`, in code point order (which is
 * UTF-8's byte order, the "C" collation's): so `key >= prefix and key < prefixEnd(prefix)` holds exactly for
 * the keys starting with `prefix`, and is a range scan of an index on the keys. Undefined when no such string
 * exists (every character is U+10FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last === 0x10ffff) continue;
    // PostgreSQL's text holds no surrogates: after U+D7FF comes U+E000.
    const next = last === 0xd7ff ? 0xe000 : last + 1;
    return chars.join('') + String.fromCodePoint(next);
  }
  return undefined;
}
