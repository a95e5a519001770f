import { getCiphersuiteFromName, getCiphersuiteImpl, type CiphersuiteImpl } from 'ts-mls';

/**
 * The one MLS cipher suite of secure chat (RFC 9420 §17.1). A handset's device key is ECDSA P-256 in its
 * hardware keystore (Android Key Attestation proves it) and an X.509 credential's end-entity key is the
 * leaf's signature key (RFC 9420 §5.3.1): so the suite signs with P-256, and the device key signs MLS.
 */
export const CHAT_CIPHERSUITE = 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256' as const;
export const CHAT_CIPHERSUITE_ID = 2;

let suite: Promise<CiphersuiteImpl> | undefined;

/** ts-mls's implementation of the chat suite (P-256 from @noble/curves, AES-GCM and HKDF from WebCrypto). */
export function chatSuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(CHAT_CIPHERSUITE));
  return suite;
}
