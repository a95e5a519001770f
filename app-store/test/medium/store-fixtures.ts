import type { ApkInspection } from '@pakawaaz/apk';
import { NATIONAL_SCOPE, type Principal } from '@pakawaaz/platform';
import type { DeveloperDirectory } from '../../src/publishing/developer-directory.js';

/*
 * What the app store's medium tests share: two institutions, the people who act in them, the APK log's key
 * (Go's sumdb/note test key, sumdb/note/note_test.go) and an inspection of a policy-clean APK. RSA1 is
 * apksigner's SHA-256 of the signer of AOSP apksig's golden-aligned-out.apk.
 */
export const LOG_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
export const LOG_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
export const ORIGIN = 'PeterNeumann';
export const RSA1 = 'fb5dbd3c669af9fc236c6991e6387b7f11ff0590997f22d0f5c74ff40e04fca8';
export const INST_A = '6b0c7a52-36a4-4a55-9a43-4c1ef0f7e0b1';
export const INST_B = '0d9f3f2e-8a52-4d0e-9a8c-2b8d6f7f1c11';

/** An operator with `roles` in `institutionId` (national when null). */
export const principal = (
  id: string,
  roles: Principal['roles'],
  institutionId: string | null,
): Principal => ({
  actor: { type: 'operator', id },
  name: id,
  roles,
  institutionId,
  scope: institutionId === null ? NATIONAL_SCOPE : { kind: 'institution', institutionIds: [institutionId] },
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: `jti-${id}`,
});

/** What the inspector says of a verified, policy-clean APK signed by RSA1; `over` changes any of it. */
export function inspection(over: Partial<ApkInspection> = {}): ApkInspection {
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
    signers: [RSA1],
    lineage: [],
    verified: true,
    errors: [],
    ...over,
  };
}

/** Identity's directory as these tests need it: every user id names a user (the e2e tests check the scope). */
export const anyDeveloper: DeveloperDirectory = { member: (userId) => Promise.resolve(userId) };
