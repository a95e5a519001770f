// Byte helpers on Uint8Array and the platform's btoa/atob: the same code in Node and in the browser (no Buffer).

/** base64url without padding. */
export function b64u(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Reads base64url (or base64); throws on characters outside the alphabet. */
export function fromB64u(s: string): Uint8Array<ArrayBuffer> {
  const std = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** DER of the first block of a PEM text. */
export const derFromPem = (pem: string): Uint8Array<ArrayBuffer> => {
  const m = /-----BEGIN [^-]+-----([^-]*)-----END/.exec(pem);
  if (!m) throw new Error('not a PEM text');
  return fromB64u(m[1]!.replace(/\s/g, ''));
};
