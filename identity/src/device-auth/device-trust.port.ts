/**
 * Port identity uses to trust a handset's device certificate. Device management implements it with its
 * device CA (issued at enrolment after Android key attestation); until it is bound, the device factor is not
 * offered. Certificates are DER.
 */
export type DeviceTrust = {
  /** The device CA certificates a device chain must end at. */
  anchors(): Promise<readonly Uint8Array[]>;
  /** Whether the CA has revoked this certificate (serial as lower-case hex, without leading zeros). */
  isRevoked(serialHex: string): Promise<boolean>;
  /** The official and device a certificate (base64url SHA-256 of its DER) was issued to; null if none. */
  bindingOf(certThumbprint: string): Promise<{ userId: string; deviceId: string } | null>;
  /**
   * Whether the official holds an enrolled handset with a certificate that is not revoked or expired: only
   * then is the device a factor they have (a sign-in does not offer a factor the official cannot use).
   */
  hasDevice(userId: string): Promise<boolean>;
};

export const DEVICE_TRUST = Symbol.for('pakawaaz.identity.DeviceTrust');
