import { createHash } from 'node:crypto';
import type { ZipArchive, ZipEntry } from '../zip/zip-archive.js';
import { attribute, parseJarManifest, type JarSection } from './jar-manifest.js';
import { parseSignedData, verifySignerInfo, type Cert } from './pkcs7.js';
import { fail, V1Failure, type V1ErrorCode } from './v1-error.js';

/*
 * APK v1 signature (JAR signing) verification, following AOSP apksig's V1SchemeVerifier for a minimum SDK of
 * 24 or more (Android N+: every SignerInfo is tried, signed attributes are checked, the strongest digest of
 * SHA-512/384/256/1 is the one verified) and no maximum. The steps and their order are apksig's:
 *   1. META-INF/MANIFEST.MF parses; its named sections name existing entries, once each;
 *   2. each signature block (META-INF/X.RSA|DSA|EC with its X.SF) holds a PKCS #7 SignedData whose first
 *      verifying SignerInfo signs X.SF (directly, or through signed attributes carrying X.SF's digest);
 *   3. each X.SF signs the manifest (whole, or its main section plus each named section), and names no APK
 *      Signature Scheme (X-Android-APK-Signed) that the APK lacks — the stripping protection;
 *   4. every entry outside META-INF/ is in the manifest with a matching digest, signed by the same signers.
 */

export type { V1ErrorCode } from './v1-error.js';

export type V1Result = {
  verified: boolean;
  /** SHA-256 of each signer's certificate (as encoded in the block), lower-case hex, in archive order. */
  signers: string[];
  errors: V1ErrorCode[];
};

export type V1Options = {
  /** APK Signature Scheme ids found in the APK (2, 3): a .SF naming a missing one is a stripped signature. */
  foundSchemes: ReadonlySet<number>;
  /** Bytes of MANIFEST.MF, of a .SF and of a signature block. */
  maxMetaFileSize?: number;
};

/** apksig Constants.MAX_APK_SIGNERS. */
const MAX_SIGNERS = 10;
/** The scheme ids this verifier knows (apksigner's supportedApkSigSchemeNames). */
const KNOWN_SCHEMES = new Set([2, 3]);
const MANIFEST = 'META-INF/MANIFEST.MF';

type Signer = { name: string; blockEntry: string; sfEntry: string; cert: Cert | null; sfNames: Set<string> };

/** apksig getDigestsToVerify for JB MR2+: the strongest of SHA-512, SHA-384, SHA-256, SHA-1 present. */
function strongestDigest(section: JarSection, suffix: string): { alg: string; digest: Buffer } | null {
  for (const [alg, prefix] of [
    ['sha512', 'SHA-512'],
    ['sha384', 'SHA-384'],
    ['sha256', 'SHA-256'],
    ['sha1', 'SHA1'],
  ] as const) {
    const value = attribute(section, `${prefix}${suffix}`);
    if (value !== null) return { alg, digest: Buffer.from(value.trim(), 'base64') };
  }
  return null;
}

const digestOf = (alg: string, bytes: Uint8Array) => createHash(alg).update(bytes).digest();

export async function verifyV1(archive: ZipArchive, options: V1Options): Promise<V1Result> {
  try {
    const signers = await verifyOrThrow(archive, options);
    return { verified: true, signers, errors: [] };
  } catch (err) {
    if (err instanceof V1Failure) return { verified: false, signers: [], errors: [err.code] };
    if ((err as { code?: string }).code?.startsWith('zip_'))
      return { verified: false, signers: [], errors: ['v1_entry_unreadable'] };
    throw err;
  }
}

async function verifyOrThrow(archive: ZipArchive, options: V1Options): Promise<string[]> {
  const maxMeta = options.maxMetaFileSize ?? 16 * 1024 * 1024;
  const read = (name: string) => archive.readEntry(name, maxMeta);
  if (!archive.entry(MANIFEST)) fail('v1_no_manifest');
  const manifestBytes = await read(MANIFEST);
  const manifest = parseJarManifest(manifestBytes);
  const byName = new Map<string, JarSection>();
  for (const s of manifest.sections) {
    if (s.name === null || byName.has(s.name) || !archive.entry(s.name)) fail('v1_manifest_malformed');
    byName.set(s.name ?? '', s);
  }

  // Signers: META-INF/X.(RSA|DSA|EC) with META-INF/X.SF, in central directory order.
  const signers: Signer[] = [];
  for (const e of archive.entries) {
    if (!e.name.startsWith('META-INF/') || !/\.(RSA|DSA|EC)$/.test(e.name)) continue;
    const sfEntry = `${e.name.slice(0, e.name.lastIndexOf('.'))}.SF`;
    if (!archive.entry(sfEntry)) continue; // apksig: a warning, not a signer
    signers.push({ name: e.name.slice(9), blockEntry: e.name, sfEntry, cert: null, sfNames: new Set() });
  }
  if (signers.length === 0) fail('v1_no_signatures');
  if (signers.length > MAX_SIGNERS) fail('v1_too_many_signers');

  const sfBytes = new Map<Signer, Buffer>();
  for (const signer of signers) {
    const sf = await read(signer.sfEntry);
    sfBytes.set(signer, sf);
    const block = await read(signer.blockEntry);
    try {
      const { certs, signerInfos, contentType } = parseSignedData(block);
      for (const si of signerInfos) {
        const cert = verifySignerInfo(si, certs, contentType, sf);
        if (cert) {
          signer.cert = cert;
          break;
        }
      }
    } catch (err) {
      // asn1js and pkijs throw what they throw on a damaged block (RangeError, TypeError): all one refusal.
      if (err instanceof V1Failure) throw err;
      fail('v1_block_malformed');
    }
    if (!signer.cert) fail('v1_did_not_verify');
  }

  // Each .SF against the manifest; signers whose .SF is unusable are ignored (apksig setIgnored).
  const remaining: Signer[] = [];
  for (const signer of signers) {
    const sf = parseJarManifest(sfBytes.get(signer) ?? Buffer.alloc(0));
    if (attribute(sf.main, 'Signature-Version') === null) continue;
    const apkSigned = attribute(sf.main, 'X-Android-APK-Signed');
    if (apkSigned !== null) {
      for (const token of apkSigned.split(',')) {
        const id = Number.parseInt(token.trim(), 10);
        if (KNOWN_SCHEMES.has(id) && !options.foundSchemes.has(id)) fail('v1_stripped');
      }
    }
    const signtool = (attribute(sf.main, 'Created-By') ?? '').includes('signtool');
    const whole = strongestDigest(sf.main, signtool ? '-Digest' : '-Digest-Manifest');
    const manifestVerified = !!whole && digestOf(whole.alg, manifestBytes).equals(whole.digest);
    if (!signtool) {
      const main = strongestDigest(sf.main, '-Digest-Manifest-Main-Attributes');
      const range = manifestBytes.subarray(manifest.main.start, manifest.main.start + manifest.main.size);
      if (main && !digestOf(main.alg, range).equals(main.digest)) fail('v1_manifest_digest');
    }
    let ignored = false;
    for (const section of sf.sections) {
      if (section.name === null || signer.sfNames.has(section.name)) {
        ignored = true;
        break;
      }
      signer.sfNames.add(section.name);
      if (manifestVerified) continue;
      const m = byName.get(section.name);
      if (!m) {
        ignored = true;
        continue;
      }
      const expected = strongestDigest(section, '-Digest') ?? fail('v1_manifest_digest');
      let size = m.size;
      if (
        signtool &&
        manifestBytes[m.start + size - 1] === 0x0a &&
        manifestBytes[m.start + size - 2] === 0x0a
      )
        size--;
      if (!digestOf(expected.alg, manifestBytes.subarray(m.start, m.start + size)).equals(expected.digest))
        fail('v1_manifest_digest');
    }
    if (!ignored) remaining.push(signer);
  }
  if (remaining.length === 0) fail('v1_no_signatures');

  // Every entry outside META-INF/ is in the manifest, signed by the same signers, with a matching digest.
  let firstSigners: Signer[] | null = null;
  const sorted = [...archive.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (const e of sorted) {
    if (e.name.startsWith('META-INF/') || e.name.endsWith('/')) continue;
    const section = byName.get(e.name) ?? fail('v1_entry_not_in_manifest');
    const entrySigners = remaining.filter((s) => s.sfNames.has(e.name));
    if (entrySigners.length === 0) fail('v1_entry_not_signed');
    if (!firstSigners) firstSigners = entrySigners;
    else if (
      firstSigners.length !== entrySigners.length ||
      firstSigners.some((s, i) => s !== entrySigners[i])
    )
      fail('v1_entry_signers_mismatch');
    const expected = strongestDigest(section, '-Digest') ?? fail('v1_entry_not_in_manifest');
    if (!digestOf(expected.alg, await readWhole(archive, e)).equals(expected.digest)) fail('v1_entry_digest');
  }
  if (!firstSigners) fail('v1_entry_not_signed');
  const apkSigners = new Set(firstSigners);
  return remaining
    .filter((s) => apkSigners.has(s))
    .map((s) =>
      createHash('sha256')
        .update(s.cert?.raw ?? Buffer.alloc(0))
        .digest('hex'),
    );
}

function readWhole(archive: ZipArchive, e: ZipEntry): Promise<Buffer> {
  return archive.readEntry(e.name, e.uncompressedSize);
}

/**
 * ApkInspection.schemes.v1 as apksigner reports it: with a minimum SDK of 24 or more, apksig verifies v1 (and
 * apksigner says "Verified using v1 scheme") only when neither v2 nor v3 verified.
 */
export function v1AsReported(v1: Pick<V1Result, 'verified'>, v2: boolean, v3: boolean): boolean {
  return v1.verified && !v2 && !v3;
}
