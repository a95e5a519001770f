import { readFileSync, statSync } from 'node:fs';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import {
  HARDENED_OS_RELEASES,
  LAB_VERIFIED_BOOT_KEY,
  parseRevocationList,
  trustRootsFromPem,
  type AttestationFacts,
  type AttestationPolicy,
  type HardenedOsReleases,
  type Refusal,
  type RevocationList,
} from '../attestation/index.js';
import { DEVICE_MGMT_CONFIG, type DeviceMgmtConfig } from '../device-mgmt.config.js';

/**
 * What an attestation is judged against: the trust roots (Google's, national ones from a file, the lab root
 * only when PAKAWAAZ_TRUST_LAB_ROOT=1), the local mirror of Google's revocation status list (re-read when the
 * file changes; no network call), and the policy (hardened-os's boot keys and minimum patch level when its
 * port is bound, else the configuration).
 */
@Injectable()
export class AttestationContext {
  private extraPem: string | undefined;
  private status: { mtimeMs: number; list: RevocationList } | undefined;

  constructor(
    @Inject(DEVICE_MGMT_CONFIG) private readonly config: DeviceMgmtConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(HARDENED_OS_RELEASES) private readonly releases?: HardenedOsReleases,
  ) {}

  /** National and lab roots (PEM) trusted beside Google's built-in ones; '' when none. */
  extraRootsPem(): string {
    if (this.extraPem !== undefined) return this.extraPem;
    const parts: string[] = [];
    if (this.config.attestationRootsFile) parts.push(readFileSync(this.config.attestationRootsFile, 'utf8'));
    if (this.config.trustLabRoot) {
      parts.push(readFileSync(this.config.labRootFile, 'utf8'));
      this.logger.warn(
        { file: this.config.labRootFile },
        'handsets attested by the LAB root are accepted (PAKAWAAZ_TRUST_LAB_ROOT, on with the demo fleet): demo and tests only',
      );
    }
    // Parsed here once too, so that a bad file fails the first enrolment with a clear message.
    if (parts.length) trustRootsFromPem(parts.join('\n'), 'configured root');
    this.extraPem = parts.join('\n');
    return this.extraPem;
  }

  /** The mirrored status list; an absent mirror revokes nothing (the README says how to refresh it). */
  revocations(): RevocationList {
    const file = this.config.attestationStatusFile;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return new Map();
    }
    if (this.status?.mtimeMs !== mtimeMs) {
      const list = parseRevocationList(JSON.parse(readFileSync(file, 'utf8')) as unknown);
      this.status = { mtimeMs, list };
    }
    return this.status.list;
  }

  /**
   * hardened-os's keys (never a compromised one) plus the configured PAKAWAAZ_TRUSTED_BOOT_KEYS — minus any
   * hardened-os marked compromised — plus the lab key with the lab root. The minimum patch level is the
   * institution's floor (never below the national one) when the institution is known, else the national one.
   * hardened-os's keys are listed for every model here; `bootKeyRefusal` then holds the attested key to the
   * attested model.
   */
  async policy(institutionId: string | null = null): Promise<AttestationPolicy> {
    const releases = this.releases;
    const [bootKeys, minimumPatchLevel, configured] = releases
      ? await Promise.all([
          releases.bootKeys(),
          releases.minimumPatchLevel(institutionId),
          notCompromised(releases, this.config.trustedBootKeys),
        ])
      : [this.config.trustedBootKeys, this.config.minimumPatchLevel, []];
    return {
      requireStrongBox: this.config.requireStrongBox,
      trustedBootKeys: [
        ...bootKeys,
        ...configured,
        ...(this.config.trustLabRoot ? await notCompromisedLab(releases) : []),
      ],
      minimumPatchLevel: minimumPatchLevel ?? (releases ? this.config.minimumPatchLevel : null),
      application: this.config.agent,
    };
  }

  /**
   * A SelfSigned boot key hardened-os registered must be registered for the handset's model: a key of model A
   * does not vouch for an OS on model B. The model is the attested one (attestationIdProduct / Device / Model,
   * matched by hardened-os against a codename or marketing name), else the model the handset reports. Keys
   * from PAKAWAAZ_TRUSTED_BOOT_KEYS and the lab key (with the lab root) are trusted on every model by design:
   * they are the operator's own list, with no model to hold them to. Null: nothing to refuse here.
   */
  async bootKeyRefusal(facts: AttestationFacts, reportedModel: string | null): Promise<Refusal | null> {
    const rot = facts.rootOfTrust;
    const releases = this.releases;
    if (!releases || !rot || rot.verifiedBootState !== 'SelfSigned') return null;
    const key = rot.verifiedBootKey.toLowerCase();
    const anyModel = [
      ...this.config.trustedBootKeys,
      ...(this.config.trustLabRoot ? [LAB_VERIFIED_BOOT_KEY] : []),
    ].map((k) => k.toLowerCase());
    if (anyModel.includes(key)) return null;
    const a = facts.attestedIds;
    const labels = [a.product, a.device, a.model].filter((l): l is string => !!l?.trim());
    if (labels.length === 0) labels.push(reportedModel?.trim() || '');
    // Every label must accept the key: hardened-os matches a label it does not know to any model, so a
    // refusal comes from a label naming a registered model the key is not registered for.
    const ours = await Promise.all(labels.map((l) => releases.isOurBootKey(l || null, key)));
    if (ours.every(Boolean)) return null;
    return {
      code: 'BOOT_KEY_UNKNOWN',
      message: `the OS is signed with boot key ${key}, which is not registered for model ${labels.filter(Boolean).join(' / ') || 'unknown'}`,
    };
  }
}

async function notCompromised(releases: HardenedOsReleases, keys: readonly string[]): Promise<string[]> {
  const statuses = await Promise.all(keys.map((k) => releases.bootKeyStatus(null, k)));
  return keys.filter((_, i) => statuses[i] !== 'compromised');
}

/** The lab key is trusted with the lab root, unless the registry marked it compromised (the e2e does so). */
function notCompromisedLab(releases: HardenedOsReleases | undefined): Promise<string[]> {
  return releases
    ? notCompromised(releases, [LAB_VERIFIED_BOOT_KEY])
    : Promise.resolve([LAB_VERIFIED_BOOT_KEY]);
}
