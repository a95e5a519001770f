import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { bufferSource, buildApk, inspectApk, makeSigner, type SigningKey } from '@pakawaaz/apk';
import {
  apkLogLeaf,
  catalogueEntry,
  encodeIndex,
  logInclusion,
  signEntry,
  verifyCatalogue,
  type CatalogueIndex,
  type CataloguePins,
  type CatalogueSigner,
  type CatalogueVersion,
} from '@pakawaaz/app-store/catalogue';
import { MemoryLog, inclusionProof, parseSignerKey, signCheckpoint } from '@pakawaaz/transparency-log';
import { beforeAll, describe, expect, it } from 'vitest';
import { APK_ROUTE, verifyAppInstall, type InstalledApp, type StoreIndex } from './app-installer.js';
import { CATALOGUE_ROUTE, CatalogueClient, type DeviceFetch } from './catalogue-client.js';
import { obey, reportApps, type HandsetState } from './obey.js';

/*
 * The installer against real artefacts: APKs built and signed (APK Signature Scheme v2/v3) by @pakawaaz/apk's
 * builder and read back by its inspectApk, a catalogue signed with the format's own signEntry whose versions
 * carry inclusion proofs from a real RFC 9162 log (@pakawaaz/transparency-log) under a checkpoint signed with
 * Go's sumdb/note test key (golang/mod sumdb/note/note_test.go), checked by verifyCatalogue. Only the server is
 * a function: it answers the two device routes with what each test puts there.
 */
const LOG_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const LOG_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ORIGIN = 'PeterNeumann';
const INSTITUTION = 'ministry-of-health';
const BASE = 'https://device.test:8443';
const MAIL = 'gov.pk.health.mail';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const certSha = (k: SigningKey) => sha(k.certificate);

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const catalogueSigner: CatalogueSigner = {
  alg: 'ES256',
  kid: 'catalogue-1',
  sign: (data) => Promise.resolve(sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
};
const pins: CataloguePins = {
  catalogueKey: publicKey.export({ format: 'jwk' }),
  institution: INSTITUTION,
  logKey: LOG_VKEY,
  logOrigin: ORIGIN,
};

let ministry: SigningKey;
let foreign: SigningKey;
let rotated: SigningKey;
const apk = (versionCode: number, signers: SigningKey[], extra = '', lineage?: SigningKey[]) =>
  buildApk({
    manifest: { package: MAIL, versionCode, versionName: `1.${versionCode}`, minSdk: 29, targetSdk: 35 },
    entries: extra ? [{ name: 'assets/extra.txt', data: Buffer.from(extra) }] : [],
    signers,
    ...(lineage ? { lineage } : {}),
  });

type Offer = { pkg: string; bytes: Buffer; signers: string[]; versionCode: number; size?: number };

/** A signed catalogue offering these APKs, each logged with its proof; `tamper` edits the index before signing. */
async function catalogue(offers: Offer[], tamper?: (index: CatalogueIndex) => void) {
  const log = new MemoryLog();
  const versions = offers.map((o) => ({
    pkg: o.pkg,
    v: {
      versionCode: o.versionCode,
      versionName: `1.${o.versionCode}`,
      apkSha256: sha(o.bytes),
      size: o.size ?? o.bytes.length,
      signers: o.signers,
      minSdk: 29,
      permissions: [],
      track: 'stable' as const,
      mandatory: false,
    },
  }));
  for (const { pkg, v } of versions) log.append(apkLogLeaf(pkg, v));
  const size = log.size;
  const note = await signCheckpoint({ origin: ORIGIN, size, rootHash: log.root(), extensions: [] }, [
    parseSignerKey(LOG_SKEY),
  ]);
  const index: CatalogueIndex = {
    format: 1,
    institution: INSTITUTION,
    timestamp: Date.UTC(2026, 11, 5) + offers.length,
    logOrigin: ORIGIN,
    checkpoints: { [String(size)]: note },
    apps: {},
  };
  for (const [i, { pkg, v }] of versions.entries()) {
    const full: CatalogueVersion = { ...v, log: logInclusion(i, size, await inclusionProof(log, i, size)) };
    (index.apps[pkg] ??= { name: pkg, versions: {} }).versions[v.apkSha256] = full;
  }
  tamper?.(index);
  const bytes = encodeIndex(index);
  const entry = catalogueEntry({
    institution: INSTITUTION,
    timestamp: index.timestamp,
    index: { name: 'index-v1.json', bytes, numPackages: Object.keys(index.apps).length },
  });
  return { entry: await signEntry(entry, catalogueSigner), index: bytes.toString('utf8') };
}

/** The device port as a function: the catalogue route and the APK route, serving what `apks` holds. */
function server(current: { entry: string; index: string }, apks: Map<string, Buffer>): DeviceFetch {
  return (req) => {
    const path = new URL(req.url).pathname;
    if (path === CATALOGUE_ROUTE)
      return Promise.resolve(Response.json(current, { headers: { etag: '"c"' } }));
    const body = path.startsWith(APK_ROUTE) ? apks.get(path.slice(APK_ROUTE.length)) : undefined;
    if (!body) return Promise.resolve(Response.json({ code: 'apk_not_found' }, { status: 404 }));
    return Promise.resolve(new Response(body, { headers: { 'content-length': String(body.length) } }));
  };
}

async function install(fetch: DeviceFetch, params: Record<string, unknown>, installed: InstalledApp[] = []) {
  const client = new CatalogueClient<StoreIndex>(BASE, fetch, (jws, bytes, state) =>
    verifyCatalogue(jws, bytes, pins, state),
  );
  return verifyAppInstall(
    { baseUrl: BASE, fetch, catalogue: client, inspect: (b) => inspectApk(bufferSource(b)) },
    installed,
    params,
  );
}

const detail = (v: { ok: boolean; detail?: string }) => (v.ok ? 'ok' : v.detail!.split(':')[0]);

beforeAll(async () => {
  [ministry, foreign, rotated] = await Promise.all([
    makeSigner({ algorithm: 'ec-p256', subject: 'CN=Ministry of Health apps' }),
    makeSigner({ algorithm: 'ec-p256', subject: 'CN=Someone else' }),
    makeSigner({ algorithm: 'ec-p256', subject: 'CN=Ministry of Health apps 2027' }),
  ]);
});

describe('the handset app installer', () => {
  it('installs the APK the verified catalogue names, and obey records it with its signer', async () => {
    const good = await apk(3, [ministry]);
    const c = await catalogue([{ pkg: MAIL, bytes: good, signers: [certSha(ministry)], versionCode: 3 }]);
    const v = await install(server(c, new Map([[sha(good), good]])), {
      package: MAIL,
      versionCode: 3,
      apkSha256: sha(good),
    });
    expect(v).toEqual({
      ok: true,
      app: { package: MAIL, versionCode: 3, apkSha256: sha(good), signers: [certSha(ministry)] },
    });
    const state: HandsetState = {
      locked: false,
      retired: false,
      lostMode: false,
      lastBootAt: '2026-12-05T00:00:00Z',
      apps: [{ package: 'org.pakawaaz.agent', versionCode: 1 }],
      osBuild: 'B1',
    };
    const done = obey(state, { id: 'c1', type: 'install_app', params: {} }, new Date(), {}, undefined, v);
    expect(done.ack).toEqual({ commandId: 'c1', state: 'succeeded' });
    expect(done.state.apps.map((a) => [a.package, a.versionCode])).toEqual([
      ['org.pakawaaz.agent', 1],
      [MAIL, 3],
    ]);
    const gone = obey(done.state, { id: 'c2', type: 'uninstall_app', params: { package: MAIL } }, new Date());
    expect(gone.ack.state).toBe('succeeded');
    expect(gone.state.apps.map((a) => a.package)).toEqual(['org.pakawaaz.agent']);
  });

  it('refuses a swapped APK: other bytes under the hash the catalogue names', async () => {
    // The same package, version and signer, no larger (the size cap is not what stops it): other bytes.
    const good = await apk(3, [ministry], 'the build the reviewers approved, logged and catalogued');
    const swapped = await apk(3, [ministry], 'another build');
    const c = await catalogue([{ pkg: MAIL, bytes: good, signers: [certSha(ministry)], versionCode: 3 }]);
    const v = await install(server(c, new Map([[sha(good), swapped]])), {
      package: MAIL,
      versionCode: 3,
      apkSha256: sha(good),
    });
    expect(detail(v)).toBe('apk_hash_mismatch');
  });

  it('refuses an APK larger than the catalogue says, as it arrives', async () => {
    const good = await apk(3, [ministry]);
    const c = await catalogue([
      { pkg: MAIL, bytes: good, signers: [certSha(ministry)], versionCode: 3, size: good.length - 1 },
    ]);
    const params = { package: MAIL, versionCode: 3, apkSha256: sha(good) };
    expect(detail(await install(server(c, new Map([[sha(good), good]])), params))).toBe('apk_too_large');
  });

  it('refuses an APK signed by another key than the catalogue names', async () => {
    const theirs = await apk(3, [foreign]);
    const c = await catalogue([{ pkg: MAIL, bytes: theirs, signers: [certSha(ministry)], versionCode: 3 }]);
    const v = await install(server(c, new Map([[sha(theirs), theirs]])), {
      package: MAIL,
      versionCode: 3,
      apkSha256: sha(theirs),
    });
    expect(detail(v)).toBe('apk_signer_mismatch');
  });

  it('upgrades only from the installed signer (or a v3 rotation from it), never downgrades', async () => {
    const installed: InstalledApp[] = [
      { package: MAIL, versionCode: 3, apkSha256: 'a'.repeat(64), signers: [certSha(ministry)] },
    ];
    const theirs = await apk(4, [foreign]);
    const successor = await apk(5, [ministry], '', [ministry, rotated]);
    const older = await apk(2, [ministry]);
    const c = await catalogue([
      { pkg: MAIL, bytes: theirs, signers: [certSha(foreign)], versionCode: 4 },
      { pkg: MAIL, bytes: successor, signers: [certSha(rotated)], versionCode: 5 },
      { pkg: MAIL, bytes: older, signers: [certSha(ministry)], versionCode: 2 },
    ]);
    const fetch = server(c, new Map([theirs, successor, older].map((b) => [sha(b), b] as [string, Buffer])));
    const params = (b: Buffer, versionCode: number) => ({ package: MAIL, versionCode, apkSha256: sha(b) });
    // A valid catalogue entry, yet another developer's key: Android refuses the update, so does the handset.
    expect(detail(await install(fetch, params(theirs, 4), installed))).toBe('apk_signer_mismatch');
    expect(await install(fetch, params(theirs, 4), [])).toMatchObject({ ok: true });
    const rotation = await install(fetch, params(successor, 5), installed);
    expect(rotation).toMatchObject({ ok: true, app: { versionCode: 5, signers: [certSha(rotated)] } });
    expect(detail(await install(fetch, params(older, 2), installed))).toBe('apk_downgrade');
  });

  it('refuses an APK the catalogue does not offer, or offers under another version', async () => {
    const good = await apk(3, [ministry]);
    const unlisted = await apk(4, [ministry]);
    const c = await catalogue([{ pkg: MAIL, bytes: good, signers: [certSha(ministry)], versionCode: 3 }]);
    const fetch = server(
      c,
      new Map([
        [sha(good), good],
        [sha(unlisted), unlisted],
      ]),
    );
    const v = await install(fetch, { package: MAIL, versionCode: 4, apkSha256: sha(unlisted) });
    expect(detail(v)).toBe('apk_not_in_catalogue');
    const relabelled = await install(fetch, { package: MAIL, versionCode: 4, apkSha256: sha(good) });
    expect(detail(relabelled)).toBe('apk_not_in_catalogue');
    const bad = await install(fetch, { package: MAIL, versionCode: 3, apkSha256: 'ABC' });
    expect(detail(bad)).toBe('apk_params_invalid');
  });

  it('installs nothing from a catalogue whose inclusion proof was tampered with, even freshly signed', async () => {
    const good = await apk(3, [ministry]);
    const other = await apk(1, [ministry], 'other');
    const c = await catalogue(
      [
        { pkg: MAIL, bytes: good, signers: [certSha(ministry)], versionCode: 3 },
        { pkg: 'gov.pk.health.notes', bytes: other, signers: [certSha(ministry)], versionCode: 1 },
      ],
      (index) => {
        const v = index.apps[MAIL]!.versions[sha(good)]!;
        const first = Buffer.from(v.log.proof[0]!, 'base64');
        first[0]! ^= 1;
        v.log.proof[0] = first.toString('base64');
      },
    );
    const v = await install(server(c, new Map([[sha(good), good]])), {
      package: MAIL,
      versionCode: 3,
      apkSha256: sha(good),
    });
    expect(detail(v)).toBe('catalogue_inclusion_invalid');
  });

  it('reports crashes of store-installed apps only under the crashApps fault, from 0 at each install', () => {
    const apps: InstalledApp[] = [
      { package: 'org.pakawaaz.agent', versionCode: 1 },
      { package: MAIL, versionCode: 3, apkSha256: 'a'.repeat(64), signers: [] },
    ];
    expect(reportApps(apps).report).toEqual([
      { package: 'org.pakawaaz.agent', versionCode: 1 },
      { package: MAIL, versionCode: 3 },
    ]);
    const once = reportApps(apps, { crashApps: true });
    const twice = reportApps(once.apps, { crashApps: true });
    expect(twice.report).toEqual([
      { package: 'org.pakawaaz.agent', versionCode: 1 },
      { package: MAIL, versionCode: 3, crashes: 2 },
    ]);
  });
});
