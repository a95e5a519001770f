import {
  KeyError,
  LEGACY_VERSION,
  SEALED_TEXT_PREFIX,
  SealedDataError,
  type KeySet,
} from '@pakawaaz/platform';

/**
 * Seals identity's small secrets at rest — TOTP seeds and RADIUS shared secrets, which must be recovered in
 * clear to compute codes and authenticators, the requester's half of a two-person one-time password until
 * the approval, and EAP-AKA fast re-authentication keys (hours-lived: losing them costs a full authentication,
 * so they do not count as "in use" when the key file is checked at start) — under the key service's `identity-secrets` key set (a file kept outside the database, or an
 * HSM). The purpose is bound as associated data, so a sealed TOTP seed cannot be replayed as a RADIUS secret.
 *
 * Stored form: `s1.<base64url of the key service's envelope>`. Release 0.1 stored `v1.<iv>.<ciphertext‖tag>`
 * under the single-key file; those values keep opening.
 */
export type SecretPurpose =
  | 'totp-seed'
  | 'radius-secret'
  | 'factor-reset-part'
  | 'eap-reauth-keys'
  | 'enrolment-codes'
  | 'directory-bind-password';

/** What identity authenticates (not seals) with the set's MAC key. */
export type MacPurpose = 'radius-class';

export type SecretBox = {
  seal(purpose: SecretPurpose, plaintext: Buffer): Promise<string>;
  /**
   * HMAC-SHA-256 under the set's MAC key, the purpose bound in front (a fixed line, so a MAC made for one
   * purpose never verifies for another). Throws KeyError key_invalid for a release 0.1 key file, which has no
   * MAC key until its first rotation.
   */
  mac(purpose: MacPurpose, data: Buffer): Promise<Buffer>;
  /** Rejects with SecretBoxError when the value was not sealed by this key set for this purpose. */
  open(purpose: SecretPurpose, sealed: string): Promise<Buffer>;
};

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/** The key service's name of identity's sealing key set. */
export const IDENTITY_SECRETS_KEY = 'identity-secrets';

const LEGACY_PREFIX = 'v1.';
const context = (purpose: SecretPurpose) => `identity:${purpose}`;

export function secretBoxOver(keys: KeySet): SecretBox {
  return {
    mac(purpose, data) {
      return keys.mac(Buffer.from(`identity:${purpose}\n`, 'ascii'), data);
    },
    seal(purpose, plaintext) {
      return keys.sealText(plaintext, context(purpose));
    },
    async open(purpose, sealed) {
      try {
        if (sealed.startsWith(SEALED_TEXT_PREFIX)) return await keys.openText(sealed, context(purpose));
        if (sealed.startsWith(LEGACY_PREFIX)) return await openLegacy(keys, purpose, sealed);
      } catch (err) {
        const unopenable =
          err instanceof SealedDataError ||
          err instanceof SecretBoxError ||
          (err instanceof KeyError && err.code === 'key_version_unknown');
        if (unopenable)
          throw new SecretBoxError(
            'sealed secret does not open with the identity secrets key (wrong key, or tampered)',
          );
        throw err;
      }
      throw new SecretBoxError('not a sealed secret');
    },
  };
}

/** Release 0.1: `v1.<iv b64url>.<ciphertext‖tag b64url>`, AAD = the purpose, under the single-key file. */
function openLegacy(keys: KeySet, purpose: SecretPurpose, sealed: string): Promise<Buffer> {
  const [, iv, data, ...rest] = sealed.split('.');
  if (!iv || !data || rest.length > 0) throw new SecretBoxError('not a sealed secret');
  const ivBytes = Buffer.from(iv, 'base64url');
  if (ivBytes.length !== 12) throw new SecretBoxError('not a sealed secret');
  return keys.openLegacy(LEGACY_VERSION, Buffer.concat([ivBytes, Buffer.from(data, 'base64url')]), purpose);
}
