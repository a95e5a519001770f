// The browser's stand-in for node-signature.ts (web-chat's bundle aliases it): there is no node:crypto, so
// ts-mls's own P-256 (@noble/curves) verifies; the device's own key still signs through WebCrypto
// (webcrypto-signature.ts wraps this).
import type { Signature } from 'ts-mls';

export const nodeP256Signature = (fallback: Signature): Signature => fallback;
