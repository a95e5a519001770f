// P-256 ECDSA for ts-mls on node:crypto (OpenSSL) instead of its pure-JS default: same encoding (DER
// signature over SHA-256 of the message, RFC 9420 §5.1.2 / SEC1 points), several times faster.
// Node only: the browser bundle (web-chat) replaces this module with browser-signature.ts.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import type { Signature } from 'ts-mls';
import { b64u } from './bytes.js';

const CACHE = 256;

function bounded<V>(): { get(k: string, make: () => V): V } {
  const m = new Map<string, V>();
  return {
    get(k, make) {
      let v = m.get(k);
      if (v === undefined) {
        v = make();
        if (m.size >= CACHE) m.delete(m.keys().next().value!);
        m.set(k, v);
      }
      return v;
    },
  };
}

const privateKeys = bounded<KeyObject>();
const publicKeys = bounded<KeyObject>();

/** The uncompressed SEC1 form of a P-256 point (ts-mls's own keygen makes compressed ones). */
function uncompressed(point: Uint8Array): Uint8Array {
  if (point.length === 65 && point[0] === 4) return point;
  return p256.Point.fromBytes(point).toBytes(false);
}

function publicKeyOf(point: Uint8Array): KeyObject {
  return publicKeys.get(b64u(point), () => {
    const p = uncompressed(point);
    if (p.length !== 65) throw new Error('not a P-256 point');
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64u(p.subarray(1, 33)), y: b64u(p.subarray(33)) },
      format: 'jwk',
    });
  });
}

function privateKeyOf(d: Uint8Array): KeyObject {
  return privateKeys.get(b64u(d), () => {
    const p = p256.getPublicKey(d, false);
    return createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', d: b64u(d), x: b64u(p.subarray(1, 33)), y: b64u(p.subarray(33)) },
      format: 'jwk',
    });
  });
}

/** A ts-mls `Signature` for P-256 on node:crypto; `keygen` stays with the default implementation. */
export function nodeP256Signature(fallback: Signature): Signature {
  return {
    sign: (signKey, message) =>
      Promise.resolve(
        new Uint8Array(sign('sha256', message, { key: privateKeyOf(signKey), dsaEncoding: 'der' })),
      ),
    verify: (publicKey, message, signature) => {
      try {
        return Promise.resolve(
          verify('sha256', message, { key: publicKeyOf(publicKey), dsaEncoding: 'der' }, signature),
        );
      } catch {
        return Promise.resolve(false);
      }
    },
    keygen: () => fallback.keygen(),
  };
}
