import { webcrypto } from 'node:crypto';

/**
 * Certificate authorities whose private key never leaves the key service (file backend or HSM) sign X.509
 * with @peculiar/x509 through this: a WebCrypto facade whose `sign` is the key service's signer, everything
 * else Node's WebCrypto. One copy for every CA (device CA, network CA).
 */
export type CaSigner = { sign(data: Uint8Array): Promise<Uint8Array> };

/** ES256 as @peculiar/x509 names the signature algorithm. */
export const ES256_SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The CA key as @peculiar/x509 sees it: only its algorithm is read; signing goes to the CaSigner. */
export const ES256_SIGNER_KEY = {
  algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
  type: 'private',
} as unknown as webcrypto.CryptoKey;

/** A copy of the bytes as an ArrayBuffer of its own (what WebCrypto and @peculiar/x509 take). */
export const arrayBufferOf = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;

/** The WebCrypto @peculiar/x509 signs with: `sign` goes to `signer`, the rest is Node's WebCrypto. */
export function signerCrypto(signer: CaSigner): webcrypto.Crypto {
  const subtle = webcrypto.subtle;
  return {
    getRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a),
    randomUUID: () => webcrypto.randomUUID(),
    subtle: new Proxy(subtle, {
      get(target, prop) {
        if (prop === 'sign')
          return async (_alg: unknown, _key: unknown, data: ArrayBuffer | ArrayBufferView) => {
            const bytes = ArrayBuffer.isView(data)
              ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
              : new Uint8Array(data);
            return arrayBufferOf(await signer.sign(bytes));
          };
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }),
  } as unknown as webcrypto.Crypto;
}
