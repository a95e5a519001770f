// A ts-mls `Signature` whose private key is a non-extractable WebCrypto key (an official's browser, a
// desktop device): ts-mls only ever hands the "private key" bytes back to `sign`, so they are a random handle
// naming the CryptoKey, never key material. WebCrypto signs ECDSA as r ‖ s (IEEE P1363); MLS wants DER
// (RFC 9420 §5.1.2, as ts-mls writes it), so the signature is re-encoded.
import type { webcrypto } from 'node:crypto';
import type { Signature } from 'ts-mls';

// Type-only (erased): the same WebCrypto types the browser has.
type CryptoKey = webcrypto.CryptoKey;

const keys = new Map<string, CryptoKey>();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * The handle for this CryptoKey (ECDSA P-256, usage `sign`): what ChatCore keeps as the "signKey". Derived
 * from the public point, so a snapshot saved before a restart names the same key after it (the handle is a
 * name, not a secret: it signs nothing without the CryptoKey registered in this page).
 */
export async function registerWebCryptoKey(key: CryptoKey, publicPoint: Uint8Array): Promise<Uint8Array> {
  const label = new TextEncoder().encode('pakawaaz webcrypto signing key handle');
  const input = new Uint8Array(label.length + publicPoint.length);
  input.set(label);
  input.set(publicPoint, label.length);
  const handle = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  keys.set(hex(handle), key);
  return handle;
}

/** DER INTEGER of an unsigned big-endian number: minimal, with a 0 byte when the top bit is set. */
function derInt(n: Uint8Array): number[] {
  let i = 0;
  while (i < n.length - 1 && n[i] === 0) i++;
  const v = Array.from(n.subarray(i));
  if (v[0]! & 0x80) v.unshift(0);
  return [0x02, v.length, ...v];
}

/** ECDSA-Sig-Value (SEQUENCE of r and s, DER) from a 64-byte P1363 signature. */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  if (sig.length !== 64) throw new Error('not a P-256 P1363 signature');
  const body = [...derInt(sig.subarray(0, 32)), ...derInt(sig.subarray(32))];
  return Uint8Array.from([0x30, body.length, ...body]);
}

/** Signing through the registered CryptoKey for a handle, else `fallback` (other members' keys, keygen). */
export function webCryptoSignature(fallback: Signature): Signature {
  return {
    sign: async (signKey, message) => {
      const key = keys.get(hex(signKey));
      if (!key) return fallback.sign(signKey, message);
      const p1363 = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        key,
        new Uint8Array(message),
      );
      return p1363ToDer(new Uint8Array(p1363));
    },
    verify: (publicKey, message, signature) => fallback.verify(publicKey, message, signature),
    keygen: () => fallback.keygen(),
  };
}
