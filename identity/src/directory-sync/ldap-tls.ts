import { X509Certificate } from 'node:crypto';

/** At most this many CAs in one directory's bundle (a root and a few intermediates is the usual case). */
export const MAX_CA_CERTIFICATES = 16;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;

/** Why a CA bundle was refused: says what to give instead. */
export class CaBundleError extends Error {
  override name = 'CaBundleError';
}

/**
 * The certificates of a PEM bundle, each parsed and checked to be a CA (basicConstraints cA): the trust
 * anchors for a directory's TLS certificate. Anything else in the text (a private key, a leaf certificate,
 * garbage) is refused rather than ignored, so an operator who pasted the wrong file is told so.
 */
export function parseCaBundle(pem: string): X509Certificate[] {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw new CaBundleError('no PEM certificate (-----BEGIN CERTIFICATE-----) in it');
  if (blocks.length > MAX_CA_CERTIFICATES)
    throw new CaBundleError(`more than ${MAX_CA_CERTIFICATES} certificates: give only the directory's CAs`);
  const rest = pem.replace(PEM_BLOCK, '').trim();
  if (rest) throw new CaBundleError('text besides certificates (a private key?): give only CA certificates');
  return blocks.map((b, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(b[0]);
    } catch {
      throw new CaBundleError(`certificate ${i + 1} is not a readable X.509 certificate`);
    }
    if (!cert.ca)
      throw new CaBundleError(
        `certificate ${i + 1} (${oneLine(cert.subject)}) is not a CA: give the CA that issued the directory's certificate`,
      );
    return cert;
  });
}

/** What an operator sees of a pinned bundle: never the PEM again, enough to recognise it. */
export function describeCertificates(pem: string): { subject: string; sha256: string; notAfter: string }[] {
  return parseCaBundle(pem).map((c) => ({
    subject: oneLine(c.subject),
    sha256: c.fingerprint256,
    notAfter: new Date(c.validTo).toISOString(),
  }));
}

const oneLine = (dn: string) => dn.split('\n').join(', ');

/** OpenSSL's verification failures, in words an operator can act on. */
const TLS_FAILURES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the directory's certificate is self-signed and not pinned",
  SELF_SIGNED_CERT_IN_CHAIN: "the directory's CA is not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the directory's CA is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the directory's CA is not trusted",
  CERT_HAS_EXPIRED: "the directory's certificate has expired",
  CERT_NOT_YET_VALID: "the directory's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "the directory's certificate does not name the host in the URL",
};

/**
 * A TLS failure of the connection to the directory, as a sentence with what to do; undefined for any other
 * error (the caller reports those as they are).
 */
export function tlsFailureHint(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const what = TLS_FAILURES[code];
  if (!what) return undefined;
  return code === 'ERR_TLS_CERT_ALTNAME_INVALID'
    ? `${what} (${code}): use the host name the certificate was issued for`
    : `${what} (${code}): give the CA that issued it as caCertificates (CLI: --ca-file)`;
}
