import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import { fail, V1Failure } from './v1-error.js';

/*
 * The PKCS #7 side of v1 signatures (RFC 2315 / RFC 5652 SignedData over a detached .SF file), checked as
 * AOSP apksig's V1SchemeVerifier.Signer.verifySignerInfoAgainstSigFile checks it. asn1js parses BER (some
 * signers emit it); pkijs reads the certificates; node:crypto verifies RSA, DSA and ECDSA.
 */

// Digest algorithm OIDs (RFC 3279, RFC 5754) → node names.
const DIGESTS: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
type KeyType = 'rsa' | 'dsa' | 'ec';
/** Signature algorithm OIDs → key type and, for the "XwithY" ones, the digest they imply. */
const SIGNATURES: Record<string, { key: KeyType; digest?: string }> = {
  '1.2.840.113549.1.1.1': { key: 'rsa' },
  '1.2.840.113549.1.1.4': { key: 'rsa', digest: 'md5' },
  '1.2.840.113549.1.1.5': { key: 'rsa', digest: 'sha1' },
  '1.2.840.113549.1.1.14': { key: 'rsa', digest: 'sha224' },
  '1.2.840.113549.1.1.11': { key: 'rsa', digest: 'sha256' },
  '1.2.840.113549.1.1.12': { key: 'rsa', digest: 'sha384' },
  '1.2.840.113549.1.1.13': { key: 'rsa', digest: 'sha512' },
  '1.2.840.10040.4.1': { key: 'dsa' },
  '1.2.840.10040.4.3': { key: 'dsa', digest: 'sha1' },
  '2.16.840.1.101.3.4.3.1': { key: 'dsa', digest: 'sha224' },
  '2.16.840.1.101.3.4.3.2': { key: 'dsa', digest: 'sha256' },
  '2.16.840.1.101.3.4.3.3': { key: 'dsa', digest: 'sha384' },
  '2.16.840.1.101.3.4.3.4': { key: 'dsa', digest: 'sha512' },
  '1.2.840.10045.2.1': { key: 'ec' },
  '1.2.840.10045.4.1': { key: 'ec', digest: 'sha1' },
  '1.2.840.10045.4.3.1': { key: 'ec', digest: 'sha224' },
  '1.2.840.10045.4.3.2': { key: 'ec', digest: 'sha256' },
  '1.2.840.10045.4.3.3': { key: 'ec', digest: 'sha384' },
  '1.2.840.10045.4.3.4': { key: 'ec', digest: 'sha512' },
};

/**
 * apksig OidConstants.getSigAlgSupportedApiLevels, for API 24+: RSA with any of the digests, DSA with SHA-1,
 * SHA-224 and SHA-256 only, ECDSA with the SHA family; a digest contradicting an "XwithY" OID is unsupported.
 */
function signatureAlgorithm(
  digestOid: string,
  signatureOid: string,
): { key: KeyType; digest: string } | null {
  const digest = DIGESTS[digestOid];
  const sig = SIGNATURES[signatureOid];
  if (!digest || !sig) return null;
  if (sig.digest && sig.digest !== digest) return null;
  if (sig.key === 'dsa' && !['sha1', 'sha224', 'sha256'].includes(digest)) return null;
  if (sig.key === 'ec' && digest === 'md5') return null;
  return { key: sig.key, digest };
}

// PKCS #7 / CMS (RFC 5652) object identifiers.
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

type Block = asn1js.AsnType;
const children = (b: Block | undefined): Block[] =>
  ((b as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value as Block[] | undefined) ?? [];
const isContext = (b: Block | undefined, n: number): boolean =>
  !!b && b.idBlock.tagClass === 3 && b.idBlock.tagNumber === n;
const oidOf = (b: Block | undefined): string => {
  if (!(b instanceof asn1js.ObjectIdentifier)) return fail('v1_block_malformed');
  return b.valueBlock.toString();
};
const raw = (b: Block): Buffer => Buffer.from(b.valueBeforeDecodeView);
/** An OCTET STRING's content, primitive or (BER) constructed. */
function octets(b: Block | undefined): Buffer {
  if (!(b instanceof asn1js.OctetString)) return fail('v1_block_malformed');
  if (!b.idBlock.isConstructed) return Buffer.from(b.valueBlock.valueHexView);
  return Buffer.concat(children(b).map((c) => octets(c)));
}

function parseBer(bytes: Uint8Array): Block {
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1) fail('v1_block_malformed');
  return parsed.result;
}

export type Cert = { raw: Buffer; cert: Certificate };

export type SignerInfo = {
  sid: Block;
  digestOid: string;
  signatureOid: string;
  signedAttrs: Block | null;
  signature: Buffer;
};

export function parseSignedData(block: Buffer): {
  certs: Cert[];
  signerInfos: SignerInfo[];
  contentType: string;
} {
  const contentInfo = children(parseBer(block));
  if (oidOf(contentInfo[0]) !== OID_SIGNED_DATA || !isContext(contentInfo[1], 0)) fail('v1_block_malformed');
  const signedData = children(children(contentInfo[1])[0]);
  // version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos
  const encap = children(signedData[2]);
  const contentType = oidOf(encap[0]);
  let i = 3;
  const certs: Cert[] = [];
  if (isContext(signedData[i], 0)) {
    for (const c of children(signedData[i])) {
      try {
        certs.push({ raw: raw(c), cert: new Certificate({ schema: c }) });
      } catch {
        fail('v1_block_malformed');
      }
    }
    i++;
  }
  if (isContext(signedData[i], 1)) i++;
  const signerInfos = children(signedData[i]).map((si): SignerInfo => {
    const f = children(si);
    let j = 2;
    const digestOid = oidOf(children(f[j++])[0]);
    let signedAttrs: Block | null = null;
    if (isContext(f[j], 0)) signedAttrs = f[j++] ?? null;
    const signatureOid = oidOf(children(f[j++])[0]);
    const signature = octets(f[j]);
    return { sid: f[1] ?? fail('v1_block_malformed'), digestOid, signatureOid, signedAttrs, signature };
  });
  if (signerInfos.length === 0) fail('v1_block_malformed');
  return { certs, signerInfos, contentType };
}

/** SignerIdentifier: IssuerAndSerialNumber, or [0] SubjectKeyIdentifier (RFC 5652 5.3). */
function findCertificate(certs: Cert[], sid: Block): Cert | undefined {
  if (isContext(sid, 0)) {
    if (!(sid instanceof asn1js.Primitive)) return undefined;
    const ski = Buffer.from(sid.valueBlock.valueHexView);
    return certs.find((c) => {
      const ext = c.cert.extensions?.find((e) => e.extnID === '2.5.29.14');
      return ext && octets(parseBer(ext.extnValue.valueBlock.valueHexView)).equals(ski);
    });
  }
  const [issuer, serial] = children(sid);
  if (!issuer || !(serial instanceof asn1js.Integer)) return undefined;
  const serialHex = Buffer.from(serial.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^(00)+/, '');
  return certs.find((c) => {
    const certSerial = Buffer.from(c.cert.serialNumber.valueBlock.valueHexView)
      .toString('hex')
      .replace(/^(00)+/, '');
    return certSerial === serialHex && canonicalName(c.cert.issuer.toSchema()) === canonicalName(issuer);
  });
}

/**
 * A Name in canonical form, as java's X500Principal compares them (RFC 4517 distinguishedNameMatch, in
 * short): attribute types by OID, string values case-folded and whitespace-collapsed whatever their string
 * type — so a PrintableString issuer in a SignerInfo matches the certificate's UTF8String one.
 */
function canonicalName(name: Block): string {
  return JSON.stringify(
    children(name).map((rdn) =>
      children(rdn)
        .map((atv) => {
          const [type, value] = children(atv);
          const text = (value as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
          const v =
            typeof text === 'string'
              ? text.trim().replace(/\s+/g, ' ').toLowerCase()
              : value
                ? raw(value).toString('hex')
                : '';
          return `${oidOf(type)}=${v}`;
        })
        .sort(),
    ),
  );
}

// Extensions java.security.cert.X509Certificate understands when critical (sun.security.x509.X509CertImpl).
const KNOWN_CRITICAL = new Set([
  '2.5.29.15',
  '2.5.29.19',
  '2.5.29.17',
  '2.5.29.18',
  '2.5.29.37',
  '2.5.29.32',
  '2.5.29.30',
  '2.5.29.36',
  '2.5.29.54',
]);

function publicKey(cert: Certificate): KeyObject {
  try {
    return createPublicKey({
      key: Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false)),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return fail('v1_signer_certificate');
  }
}

/** apksig Signer.verifySignerInfoAgainstSigFile: the certificate when it verifies, null when it does not. */
export function verifySignerInfo(
  si: SignerInfo,
  certs: Cert[],
  contentType: string,
  sigFile: Buffer,
): Cert | null {
  const alg = signatureAlgorithm(si.digestOid, si.signatureOid) ?? fail('v1_unsupported_algorithm');
  const cert = findCertificate(certs, si.sid) ?? fail('v1_signer_certificate');
  for (const ext of cert.cert.extensions ?? []) {
    if (ext.critical && !KNOWN_CRITICAL.has(ext.extnID)) fail('v1_signer_certificate');
    if (ext.extnID === '2.5.29.15') {
      // KeyUsage BIT STRING: digitalSignature (bit 0) or nonRepudiation (bit 1) must be set.
      const bits = parseBer(ext.extnValue.valueBlock.valueHexView) as asn1js.BitString;
      const first = bits.valueBlock.valueHexView[0] ?? 0;
      if ((first & 0xc0) === 0) fail('v1_signer_certificate');
    }
  }
  let signed: Buffer = sigFile;
  if (si.signedAttrs) {
    const attrs = new Map<string, Block[]>();
    for (const a of children(si.signedAttrs)) {
      const [type, values] = children(a);
      const oid = oidOf(type);
      if (attrs.has(oid)) fail('v1_block_malformed');
      attrs.set(oid, children(values));
    }
    const single = (oid: string): Block | null => {
      const v = attrs.get(oid);
      if (!v || v.length === 0) return null;
      if (v.length > 1) fail('v1_block_malformed');
      return v[0] ?? null;
    };
    const type = single(OID_CONTENT_TYPE) ?? fail('v1_did_not_verify');
    // A mismatched content type or digest fails this SignerInfo only; a missing digest fails the signer.
    if (oidOf(type) !== contentType) return null;
    const digest = octets(single(OID_MESSAGE_DIGEST) ?? fail('v1_did_not_verify'));
    if (!createHash(alg.digest).update(sigFile).digest().equals(digest)) return null;
    // Android verifies over the attributes' own encoding with the [0] tag replaced by SET (apksig does too).
    signed = raw(si.signedAttrs);
    signed = Buffer.concat([Buffer.from([0x31]), signed.subarray(1)]);
  }
  let ok = false;
  try {
    ok = cryptoVerify(alg.digest, signed, { key: publicKey(cert.cert), dsaEncoding: 'der' }, si.signature);
  } catch (err) {
    if (err instanceof V1Failure) throw err;
    ok = false;
  }
  return ok ? cert : null;
}
