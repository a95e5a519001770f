import type { ApkInspection } from '@pakawaaz/apk';
import { ContentUploadError } from '@pakawaaz/platform';
import { appStoreError } from '../app-store.errors.js';
import type { AppRow, OrgRow } from './publishing.repository.js';

/*
 * The checks an upload passes before anything is stored, pure: the received APK verifies and names its package
 * and versionCode, the package's owning organisation is one of the caller's, and a refused stream says why.
 */

export function requireVerified(i: ApkInspection): { packageName: string; versionCode: number } {
  if (!i.verified)
    throw appStoreError(
      'apk_not_verified',
      `The APK does not verify: ${i.errors.join(', ') || 'no v2 or v3 signature'}.`,
      { errors: i.errors },
    );
  if (i.package === null || i.versionCode === null)
    throw appStoreError('apk_manifest_incomplete', 'The manifest names no package or no versionCode.');
  return { packageName: i.package, versionCode: i.versionCode };
}

/** An existing package stays with its organisation; a new one goes to the named or the only one. */
export function owningOrg(app: AppRow | undefined, orgs: OrgRow[], named: string | undefined): OrgRow {
  if (app) {
    const org = orgs.find((o) => o.id === app.orgId);
    if (!org)
      throw appStoreError(
        'package_owned_by_another_org',
        `${app.packageName} belongs to another organisation.`,
      );
    return org;
  }
  const org =
    named === undefined ? (orgs.length === 1 ? orgs[0] : undefined) : orgs.find((o) => o.id === named);
  if (!org)
    throw appStoreError('developer_org_required', 'You are in several organisations: name one with ?org=.');
  return org;
}

export function uploadError(err: unknown): never {
  if (!(err instanceof ContentUploadError)) throw err;
  switch (err.reason) {
    case 'too_large':
      throw appStoreError('apk_too_large', err.message);
    case 'truncated':
      throw appStoreError('apk_truncated', err.message);
    case 'timeout':
      throw appStoreError('apk_upload_timeout', err.message);
    case 'digest_mismatch': // APK uploads declare no digest
      throw err;
  }
}
