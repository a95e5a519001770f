import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { CompactSign, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  MemoryLog,
  ed25519VerifierKey,
  inclusionProof,
  parseSignerKey,
  signCheckpoint,
  type NoteSigner,
} from '@pakawaaz/transparency-log';
import { canonicalBytes } from './canonical-json.js';
import { catalogueEntry, signEntry, type CatalogueSigner } from './catalogue-entry.js';
import {
  apkLogLeaf,
  createIndexDiff,
  encodeIndex,
  logInclusion,
  type CatalogueIndex,
  type CatalogueVersion,
} from './catalogue-index.js';
import { indexFromDiff, verifyCatalogue, type CataloguePins } from './verify-catalogue.js';

/** Go's sumdb/note test key plays the log key (sumdb/note/note_test.go, golang/mod). */
const LOG_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const LOG_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ORIGIN = 'PeterNeumann';
const INSTITUTION = 'ministry-of-health';
const T0 = Date.UTC(2026, 11, 1);

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function es256Signer(privateKey: KeyObject): CatalogueSigner {
  return {
    alg: 'ES256',
    kid: 'catalogue-1',
    sign: (data) => Promise.resolve(sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
  };
}

function newCatalogueKey(): { signer: CatalogueSigner; jwk: JWK; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { signer: es256Signer(privateKey), jwk: publicKey.export({ format: 'jwk' }), privateKey };
}

const version = (
  pkg: string,
  code: number,
  track: 'stable' | 'beta' = 'stable',
): Omit<CatalogueVersion, 'log'> => ({
  versionCode: code,
  versionName: `1.${code}`,
  apkSha256: sha(`${pkg}@${code}`),
  size: 1000 + code,
  signers: [sha(`cert of ${pkg}`)],
  minSdk: 29,
  permissions: ['android.permission.INTERNET'],
  track,
  mandatory: code === 1,
});

/** A log holding some APKs, and a catalogue of some of them with proofs against a checkpoint. */
async function world(logSigner: NoteSigner = parseSignerKey(LOG_SKEY)) {
  const log = new MemoryLog();
  const logged = [
    version('org.example.chat', 1),
    version('org.example.mail', 7),
    version('org.example.chat', 2),
  ];
  const pkgs = ['org.example.chat', 'org.example.mail', 'org.example.chat'];
  logged.forEach((v, i) => log.append(apkLogLeaf(pkgs[i]!, v)));
  const size = log.size;
  const note = await signCheckpoint({ origin: ORIGIN, size, rootHash: log.root(), extensions: [] }, [
    logSigner,
  ]);
  const withProof = async (i: number): Promise<CatalogueVersion> => ({
    ...logged[i]!,
    log: logInclusion(i, size, await inclusionProof(log, i, size)),
  });
  const index: CatalogueIndex = {
    format: 1,
    institution: INSTITUTION,
    timestamp: T0,
    logOrigin: ORIGIN,
    checkpoints: { [String(size)]: note },
    apps: {
      'org.example.chat': {
        name: 'Chat',
        versions: { [logged[0]!.apkSha256]: await withProof(0), [logged[2]!.apkSha256]: await withProof(2) },
      },
      'org.example.mail': { name: 'Mail', versions: { [logged[1]!.apkSha256]: await withProof(1) } },
    },
  };
  return { log, index };
}

async function publish(index: CatalogueIndex, signer: CatalogueSigner, bytes = encodeIndex(index)) {
  const entry = catalogueEntry({
    institution: index.institution,
    timestamp: index.timestamp,
    index: { name: `index-${index.timestamp}.json`, bytes, numPackages: Object.keys(index.apps).length },
  });
  return { jws: await signEntry(entry, signer), bytes, entry };
}

const key = newCatalogueKey();
const pins: CataloguePins = {
  catalogueKey: key.jwk,
  institution: INSTITUTION,
  logKey: LOG_VKEY,
  logOrigin: ORIGIN,
};

describe('verifyCatalogue', () => {
  it('accepts a catalogue as the server publishes it', async () => {
    const { index } = await world();
    const { jws, bytes } = await publish(index, key.signer);
    const v = await verifyCatalogue(jws, bytes, pins, {});
    expect(v).toMatchObject({ ok: true, entry: { timestamp: T0, index: { numPackages: 2 } } });
    expect(v.ok && Object.keys(v.index.apps)).toEqual(['org.example.chat', 'org.example.mail']);
  });

  it('accepts an entry signed by jose itself (a standard compact JWS), with an Ed25519 key too', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { index } = await world();
    const bytes = encodeIndex(index);
    const entry = catalogueEntry({
      institution: INSTITUTION,
      timestamp: T0,
      index: { name: 'index.json', bytes, numPackages: 2 },
    });
    const jws = await new CompactSign(canonicalBytes(entry))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'pakawaaz-catalogue-entry' })
      .sign(privateKey);
    const edPins = { ...pins, catalogueKey: publicKey.export({ format: 'jwk' }) as JWK };
    expect((await verifyCatalogue(jws, bytes, edPins, {})).ok).toBe(true);
  });

  it('refuses an index with one byte changed', async () => {
    const { index } = await world();
    const { jws, bytes } = await publish(index, key.signer);
    const tampered = Buffer.from(bytes);
    const at = tampered.indexOf('Mail');
    tampered[at] = 'N'.charCodeAt(0);
    expect(await verifyCatalogue(jws, tampered, pins, {})).toMatchObject({
      ok: false,
      code: 'catalogue_index_mismatch',
    });
    expect(await verifyCatalogue(jws, bytes.subarray(1), pins, {})).toMatchObject({
      code: 'catalogue_index_mismatch',
    });
  });

  it('refuses an entry signed by another key, or with a changed payload', async () => {
    const { index } = await world();
    const { jws, bytes } = await publish(index, newCatalogueKey().signer);
    expect(await verifyCatalogue(jws, bytes, pins, {})).toMatchObject({
      code: 'catalogue_signature_invalid',
    });
    const good = await publish(index, key.signer);
    const [h, p, s] = good.jws.split('.');
    const payload = Buffer.from(p!, 'base64url')
      .toString()
      .replace(`"timestamp":${T0}`, `"timestamp":${T0 + 1}`);
    const forged = `${h}.${Buffer.from(payload).toString('base64url')}.${s}`;
    expect(await verifyCatalogue(forged, bytes, pins, {})).toMatchObject({
      code: 'catalogue_signature_invalid',
    });
    expect(await verifyCatalogue('not a jws', bytes, pins, {})).toMatchObject({
      code: 'catalogue_signature_invalid',
    });
  });

  it('refuses an algorithm other than the pinned key’s, and a JWS of another type', async () => {
    const { index } = await world();
    const bytes = encodeIndex(index);
    const entry = catalogueEntry({
      institution: INSTITUTION,
      timestamp: T0,
      index: { name: 'i', bytes, numPackages: 2 },
    });
    const otherTyp = await new CompactSign(canonicalBytes(entry))
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .sign(key.privateKey);
    expect(await verifyCatalogue(otherTyp, bytes, pins, {})).toMatchObject({
      code: 'catalogue_signature_invalid',
    });
    const es384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const p384 = await new CompactSign(canonicalBytes(entry))
      .setProtectedHeader({ alg: 'ES384', typ: 'pakawaaz-catalogue-entry' })
      .sign(es384.privateKey);
    const p384Pins = { ...pins, catalogueKey: es384.publicKey.export({ format: 'jwk' }) as JWK };
    expect(await verifyCatalogue(p384, bytes, p384Pins, {})).toMatchObject({
      code: 'catalogue_signature_invalid',
    });
  });

  it('refuses a rolled-back entry given the last one seen, and a stale one given the clock', async () => {
    const { index } = await world();
    const { jws, bytes } = await publish(index, key.signer);
    expect(await verifyCatalogue(jws, bytes, pins, { lastSeenTimestamp: T0 + 1 })).toMatchObject({
      code: 'catalogue_rolled_back',
    });
    expect((await verifyCatalogue(jws, bytes, pins, { lastSeenTimestamp: T0 })).ok).toBe(true);
    // The same moment again: the same index is a re-fetch, another index two views of one moment.
    const sha = createHash('sha256').update(bytes).digest('hex');
    const again = { lastSeenTimestamp: T0, lastSeenIndexSha256: sha };
    expect((await verifyCatalogue(jws, bytes, pins, again)).ok).toBe(true);
    const other = { lastSeenTimestamp: T0, lastSeenIndexSha256: 'ab'.repeat(32) };
    expect(await verifyCatalogue(jws, bytes, pins, other)).toMatchObject({ code: 'catalogue_rolled_back' });
    const day = 86_400_000;
    expect(await verifyCatalogue(jws, bytes, pins, { now: T0 + 8 * day, maxAgeMs: 7 * day })).toMatchObject({
      code: 'catalogue_stale',
    });
    expect((await verifyCatalogue(jws, bytes, pins, { now: T0 + day, maxAgeMs: 7 * day })).ok).toBe(true);
  });

  it('refuses another institution’s catalogue', async () => {
    const { index } = await world();
    const { jws, bytes } = await publish({ ...index, institution: 'ministry-of-defence' }, key.signer);
    expect(await verifyCatalogue(jws, bytes, pins, {})).toMatchObject({
      code: 'catalogue_wrong_institution',
    });
  });

  it('refuses an APK the log does not hold, even in a catalogue the catalogue key signed', async () => {
    const { index } = await world();
    const chat = index.apps['org.example.chat']!;
    const [first, second] = Object.values(chat.versions);
    // The server swaps version 2's APK for another build, keeping the proof it had.
    const swapped = { ...second!, apkSha256: sha('evil build') };
    const evil: CatalogueIndex = {
      ...index,
      apps: {
        ...index.apps,
        'org.example.chat': {
          ...chat,
          versions: { [first!.apkSha256]: first!, [swapped.apkSha256]: swapped },
        },
      },
    };
    const { jws, bytes } = await publish(evil, key.signer);
    expect(await verifyCatalogue(jws, bytes, pins, {})).toMatchObject({
      code: 'catalogue_inclusion_invalid',
    });
  });

  it('refuses a proof with a flipped bit, a wrong leaf index, or a tree size without a checkpoint', async () => {
    const { index } = await world();
    const mail = index.apps['org.example.mail']!;
    const v = Object.values(mail.versions)[0]!;
    const variants: CatalogueVersion['log'][] = [
      {
        ...v.log,
        proof: v.log.proof.map((p, i) =>
          i === 0 ? Buffer.from(p, 'base64').fill(1, 0, 1).toString('base64') : p,
        ),
      },
      { ...v.log, leafIndex: 0 },
      { ...v.log, treeSize: 2 },
      { ...v.log, proof: v.log.proof.slice(1) },
    ];
    for (const log of variants) {
      const bad = {
        ...index,
        apps: { ...index.apps, 'org.example.mail': { ...mail, versions: { [v.apkSha256]: { ...v, log } } } },
      };
      const { jws, bytes } = await publish(bad, key.signer);
      expect(await verifyCatalogue(jws, bytes, pins, {})).toMatchObject({
        code: 'catalogue_inclusion_invalid',
      });
    }
  });

  it('refuses a checkpoint the log key did not sign, or filed under another size', async () => {
    const other = generateKeyPairSync('ed25519');
    const raw = Buffer.from(other.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const impostor: NoteSigner = {
      name: ORIGIN,
      publicKey: raw,
      sign: (m) => sign(null, m, other.privateKey),
    };
    const forged = await world(impostor);
    const a = await publish(forged.index, key.signer);
    expect(await verifyCatalogue(a.jws, a.bytes, pins, {})).toMatchObject({
      code: 'catalogue_checkpoint_invalid',
    });
    expect(ed25519VerifierKey(ORIGIN, raw)).not.toBe(LOG_VKEY);

    const { index } = await world();
    const note = index.checkpoints['3']!;
    const b = await publish({ ...index, checkpoints: { '3': note, '4': note } }, key.signer);
    expect(await verifyCatalogue(b.jws, b.bytes, pins, {})).toMatchObject({
      code: 'catalogue_checkpoint_invalid',
    });
  });

  it('refuses an index that is not canonical, even when the entry signs its bytes', async () => {
    const { index } = await world();
    const pretty = Buffer.from(JSON.stringify(JSON.parse(encodeIndex(index).toString()), null, 1));
    const { jws, bytes } = await publish(index, key.signer, pretty);
    expect(await verifyCatalogue(jws, bytes, pins, {})).toMatchObject({ code: 'catalogue_not_canonical' });
    const dup = Buffer.from(encodeIndex(index).toString().replace('{"apps":', '{"apps":{},"apps":'));
    const d = await publish(index, key.signer, dup);
    expect(await verifyCatalogue(d.jws, d.bytes, pins, {})).toMatchObject({
      code: 'catalogue_not_canonical',
    });
  });
});

describe('diffs (RFC 7396 merge patches between indexes)', () => {
  it('rebuilds the next index byte for byte from the previous one and its diff', async () => {
    const { log, index } = await world();
    const previousBytes = encodeIndex(index);
    // A new mail version is logged and published; the old chat version is withdrawn.
    const mail2 = version('org.example.mail', 8, 'beta');
    log.append(apkLogLeaf('org.example.mail', mail2));
    const note = await signCheckpoint({ origin: ORIGIN, size: 4, rootHash: log.root(), extensions: [] }, [
      parseSignerKey(LOG_SKEY),
    ]);
    const chat = index.apps['org.example.chat']!;
    const next: CatalogueIndex = {
      ...index,
      timestamp: T0 + 60_000,
      checkpoints: { ...index.checkpoints, '4': note },
      apps: {
        'org.example.chat': {
          ...chat,
          versions: { [sha('org.example.chat@2')]: chat.versions[sha('org.example.chat@2')]! },
        },
        'org.example.mail': {
          name: 'Mail',
          versions: {
            ...index.apps['org.example.mail']!.versions,
            [mail2.apkSha256]: { ...mail2, log: logInclusion(3, 4, await inclusionProof(log, 3, 4)) },
          },
        },
      },
    };
    const nextBytes = encodeIndex(next);
    const diff = createIndexDiff(index, next);
    expect(diff.length).toBeLessThan(nextBytes.length);
    const entry = catalogueEntry({
      institution: INSTITUTION,
      timestamp: next.timestamp,
      index: { name: 'index.json', bytes: nextBytes, numPackages: 2 },
      diffs: [{ previousTimestamp: T0, name: `diff/${T0}.json`, bytes: diff }],
    });
    const jws = await signEntry(entry, key.signer);

    const rebuilt = indexFromDiff(entry, previousBytes, diff);
    expect(rebuilt.ok && rebuilt.index.equals(nextBytes)).toBe(true);
    if (!rebuilt.ok) return;
    expect((await verifyCatalogue(jws, rebuilt.index, pins, { lastSeenTimestamp: T0 })).ok).toBe(true);

    const tamperedDiff = Buffer.from(diff.toString().replace('"beta"', '"stable"'));
    expect(indexFromDiff(entry, previousBytes, tamperedDiff)).toMatchObject({
      ok: false,
      code: 'catalogue_diff_invalid',
    });
    expect(indexFromDiff(entry, nextBytes, diff)).toMatchObject({
      ok: false,
      code: 'catalogue_diff_invalid',
    });
  });
});
