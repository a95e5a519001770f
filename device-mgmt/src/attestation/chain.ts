import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Certificate } from 'pkijs';
import { caRefusals } from './ca-constraints.js';
import { BoundedMemo, derHashes } from './cache.js';
import type { Deadline } from './limits.js';
import type { Refusal } from './policy.js';
import { serialKey, spkiSha256, type RevocationList, type TrustAnchor, type TrustRoots } from './trust.js';

/**
 * The signature algorithms of attestation chains (ECDSA and RSA PKCS#1 v1.5, RFC 5758 and RFC 4055 OIDs),
 * verified synchronously with node:crypto over the TBS bytes as they arrived: pkijs through WebCrypto imports
 * the issuer key again for every signature and answers through the thread pool, several times the cost of the
 * verification itself. Any other algorithm still goes through pkijs.
 */
const SIGNATURES: Record<string, { key: 'ec' | 'rsa'; hash: string }> = {
  '1.2.840.10045.4.1': { key: 'ec', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { key: 'ec', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { key: 'ec', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { key: 'ec', hash: 'sha512' },
  '1.2.840.113549.1.1.5': { key: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { key: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { key: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { key: 'rsa', hash: 'sha512' },
};
/** The curves WebCrypto (and so pkijs) verifies on; a key on another curve goes the pkijs way. */
const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/**
 * An issuer's public key, imported once per certificate object: objects above the leaf are shared by every
 * chain with the same DER bytes (attestation.ts), so a batch key is imported once. null: not importable here.
 */
const issuerKeys = new WeakMap<Certificate, KeyObject | null>();
function issuerKey(issuer: Certificate): KeyObject | null {
  let key = issuerKeys.get(issuer);
  if (key === undefined) {
    try {
      const spki = Buffer.from(issuer.subjectPublicKeyInfo.toSchema().toBER(false));
      key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    issuerKeys.set(issuer, key);
  }
  return key;
}

/** The signature check with node:crypto, or null when the algorithm or the key is one only pkijs handles. */
function nodeVerdict(cert: Certificate, issuer: Certificate): boolean | null {
  const alg = SIGNATURES[cert.signatureAlgorithm.algorithmId];
  const key = alg ? issuerKey(issuer) : null;
  if (!alg || !key || key.asymmetricKeyType !== alg.key) return null;
  if (alg.key === 'ec' && !CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? '')) return null;
  try {
    const signature = cert.signatureValue.valueBlock.valueHexView;
    return verify(alg.hash, cert.tbsView, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false; // a signature that is not even a DER ECDSA signature does not verify
  }
}

async function signedBy(cert: Certificate, issuer: Certificate): Promise<boolean> {
  if (!cert.issuer.isEqual(issuer.subject)) return false;
  // RFC 5280 4.1.1.2: the algorithm outside must be the one the signed body names.
  if (!sameAlgorithm(cert)) return false;
  const fast = nodeVerdict(cert, issuer);
  if (fast !== null) return fast;
  try {
    return await cert.verify(issuer);
  } catch {
    return false; // an unsupported or broken signature algorithm is a signature that does not verify
  }
}

function sameAlgorithm(cert: Certificate): boolean {
  const [outer, inner] = [cert.signatureAlgorithm, cert.signature];
  if (outer.algorithmId !== inner.algorithmId) return false;
  const der = (p: unknown) =>
    p === undefined
      ? ''
      : Buffer.from((p as { toBER(s: boolean): ArrayBuffer }).toBER(false)).toString('hex');
  return der(outer.algorithmParams) === der(inner.algorithmParams);
}

/**
 * Signature checks between a batch's shared certificates, by the SHA-256 of both certificates' exact DER
 * (a tampered certificate is other bytes, so never a hit); the leaf is never memoised.
 */
const checked = new BoundedMemo<Promise<boolean>>();
function signedByShared(cert: Certificate, issuer: Certificate): Promise<boolean> {
  const [a, b] = [derHashes.get(cert), derHashes.get(issuer)];
  return a && b ? checked.get(`${a}:${b}`, () => signedBy(cert, issuer)) : signedBy(cert, issuer);
}

function validity(cert: Certificate, at: Date, what: string): Refusal | null {
  if (at < cert.notBefore.value)
    return {
      code: 'CERT_NOT_YET_VALID',
      message: `${what} is valid only from ${cert.notBefore.value.toISOString()}`,
    };
  if (at > cert.notAfter.value)
    return { code: 'CERT_EXPIRED', message: `${what} expired on ${cert.notAfter.value.toISOString()}` };
  return null;
}

/**
 * The trust anchor of a chain: the chain's top certificate carries a trusted root key (the device presents
 * its root, perhaps an older certificate of the same key), or a trusted root signed the top certificate.
 */
async function anchorOf(
  top: Certificate,
  roots: TrustRoots,
): Promise<{ anchors: TrustAnchor[]; presented: boolean }> {
  const key = spkiSha256(top);
  const same = roots.filter((r) => r.spkiSha256 === key);
  if (same.length) return { anchors: same, presented: true };
  const above: TrustAnchor[] = [];
  for (const r of roots) if (await signedBy(top, r.certificate)) above.push(r);
  return { anchors: above, presented: false };
}

/**
 * Checks a chain (leaf first) at a point in time: each certificate signed by the next, every one above the leaf
 * a CA within its pathLenConstraint and only the leaf attesting, the top anchored by a trusted root key, every
 * certificate and the anchor valid at `at`, none in the revocation list.
 */
export async function chainRefusals(
  chain: readonly Certificate[],
  roots: TrustRoots,
  at: Date,
  revocations: RevocationList | null,
  clock: Deadline,
): Promise<Refusal[]> {
  const out: Refusal[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const ok = i === 0 ? signedBy(chain[i]!, chain[i + 1]!) : signedByShared(chain[i]!, chain[i + 1]!);
    if (!(await ok))
      out.push({
        code: 'CHAIN_INVALID',
        message: `certificate ${i + 1} is not signed by certificate ${i + 2} (wrong order, or tampered)`,
      });
    clock.check('signature check');
  }
  out.push(...caRefusals(chain));
  const top = chain[chain.length - 1]!;
  const { anchors, presented } = await anchorOf(top, roots);
  clock.check('trust anchor');
  if (anchors.length === 0)
    out.push({ code: 'ROOT_UNTRUSTED', message: 'the chain does not end at a trusted attestation root' });

  // A presented root is checked through the anchor it matches (the anchor may be a newer certificate).
  const dated = presented ? chain.slice(0, -1) : chain;
  dated.forEach((cert, i) => {
    const bad = validity(cert, at, `certificate ${i + 1}`);
    if (bad) out.push(bad);
  });
  if (anchors.length && anchors.every((a) => validity(a.certificate, at, a.label)))
    out.push(validity(anchors[0]!.certificate, at, `the trusted root (${anchors[0]!.label})`)!);

  if (revocations) {
    chain.forEach((cert, i) => {
      const entry = revocations.get(serialKey(cert));
      if (entry)
        out.push({
          code: 'CERT_REVOKED',
          message: `certificate ${i + 1} (serial ${serialKey(cert)}) is ${entry.status}${entry.reason ? ` (${entry.reason})` : ''}`,
        });
    });
  }
  return out;
}
