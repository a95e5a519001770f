import type { ApkInspection } from '@pakawaaz/apk';

/*
 * Signer digests as Debian's apksigner 0.9 prints them (`apksigner verify --print-certs`) for AOSP apksig's
 * test APKs (protocols/apk/test/fixtures): RSA1 signs golden-aligned-out.apk (CN=rsa-2048), OTHER
 * debuggable-boolean.apk (an unrelated key).
 */
export const APKSIG_RSA1 = 'fb5dbd3c669af9fc236c6991e6387b7f11ff0590997f22d0f5c74ff40e04fca8';
export const APKSIG_OTHER = 'a40da80a59d170caa950cf15c18c454d47a39b26989d8b640ecd745ba71bf5dc';

/**
 * What the APK inspector says of a verified, policy-clean APK signed by APKSIG_RSA1 — the stand-in the app
 * store's tests publish where inspectApk itself is not under test (it is tested against apksigner in
 * @pakawaaz/apk). `over` changes any of it.
 */
export function cleanApkInspection(over: Partial<ApkInspection> = {}): ApkInspection {
  return {
    package: 'gov.pk.mail',
    versionCode: 10,
    versionName: '1.0',
    minSdk: 28,
    targetSdk: 35,
    permissions: ['android.permission.INTERNET'],
    debuggable: false,
    usesCleartextTraffic: false,
    cleartextTraffic: { permitted: false, domains: [], decidedBy: 'manifest' },
    nativeAbis: [],
    schemes: { v1: false, v2: true, v3: true },
    signers: [APKSIG_RSA1],
    lineage: [],
    verified: true,
    errors: [],
    ...over,
  };
}
