import type { X509Certificate } from 'node:crypto';
import type { Db } from '@pakawaaz/platform';
import { BOT_URI, INSTITUTION_URI } from './device-ca.js';

/**
 * Secure chat's e-Office bots get their MLS credential from the device CA (one CA, one trust anchor for every
 * chat member): a client certificate whose SAN names the bot and its institution and no device or official
 * (device-ca.ts `issueBotCertificate`). The guard's DEVICE_AUTHENTICATOR accepts it as a `kind: 'bot'`
 * principal on routes that allow bots; DEVICE_TRUST never takes it for a handset.
 */
export type BotCertificates = {
  /**
   * Issues (and records under `botId`, in the caller's transaction `tx` when it holds one) a certificate for
   * the key of a PKCS#10 CSR; DeviceCaError if bad.
   */
  issueBot(
    botId: string,
    institutionId: string,
    csrDer: Uint8Array,
    tx?: Db,
  ): Promise<{ serial: string; thumbprint: string; pem: string; notAfter: Date }>;
  /** Revokes every certificate of the bot; how many were live. */
  revokeBot(botId: string): Promise<number>;
};
export const BOT_CERTIFICATES = Symbol.for('pakawaaz.device-mgmt.BotCertificates');

export type BotOfCertificate = { botId: string; institutionId: string };

/** The bot a certificate names (both SAN URIs present), or null for any other certificate. */
export function botOfCertificate(cert: Pick<X509Certificate, 'subjectAltName'>): BotOfCertificate | null {
  const uris = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('URI:'))
    .map((n) => n.slice(4));
  const botId = uris.find((u) => u.startsWith(BOT_URI))?.slice(BOT_URI.length);
  const institutionId = uris.find((u) => u.startsWith(INSTITUTION_URI))?.slice(INSTITUTION_URI.length);
  return botId && institutionId ? { botId, institutionId } : null;
}
