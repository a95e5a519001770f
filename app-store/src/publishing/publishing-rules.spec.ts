import type { ApkInspection } from '@pakawaaz/apk';
import {
  APKSIG_OTHER as OTHER,
  APKSIG_RSA1 as RSA1,
  cleanApkInspection as inspection,
} from '@pakawaaz/test-support';
import { describe, expect, it } from 'vitest';
import {
  approvalsNeeded,
  checkSigner,
  checkVersionCode,
  DEFAULT_STORE_POLICY,
  manifestFacts,
  permissionDiff,
  policyFindings,
  type StorePolicy,
} from './publishing-rules.js';

/*
 * Signer digests and lineages as Debian's apksigner 0.9 prints them for AOSP apksig's test APKs
 * (protocols/apk/test/fixtures): `apksigner verify --print-certs` and `apksigner lineage --print-certs`.
 *   golden-aligned-out.apk                         signer RSA1 (CN=rsa-2048)
 *   golden-aligned-v3-lineage-out.apk              signer RSA2, lineage RSA1 → RSA2
 *   v1v2v3-with-rsa-2048-lineage-3-signers.apk     signer RSA3, lineage RSA1 → RSA2 → RSA3
 *   debuggable-boolean.apk                         signer OTHER (an unrelated key)
 */
const RSA2 = '681b0e56a796350c08647352a4db800cc44b2adc8f4c72fa350bd05d4d50264d';
const RSA3 = 'bb77a72efc60e66501ab75953af735874f82cfe52a70d035186a01b3482180f3';

describe('signer pinning (trust on first use, v3 key rotation)', () => {
  it('pins the signer of the first version', () => {
    expect(checkSigner(null, inspection())).toEqual({ ok: true, signer: RSA1, lineage: [], rotated: false });
  });

  it('accepts a later version signed by the pinned signer', () => {
    expect(checkSigner({ pinnedSigner: RSA1, lineage: [] }, inspection())).toMatchObject({ ok: true });
  });

  it('refuses a later version signed by an unrelated key', () => {
    const d = checkSigner({ pinnedSigner: RSA1, lineage: [] }, inspection({ signers: [OTHER] }));
    expect(d).toMatchObject({ ok: false, code: 'signer_mismatch' });
  });

  it('accepts a rotation whose lineage starts with the pinned signer and ends with the new one', () => {
    const d = checkSigner(
      { pinnedSigner: RSA1, lineage: [] },
      inspection({ signers: [RSA2], lineage: [RSA1, RSA2] }),
    );
    expect(d).toEqual({ ok: true, signer: RSA2, lineage: [RSA1, RSA2], rotated: true });
  });

  it('accepts a second rotation that extends the known lineage, and the current signer afterwards', () => {
    const app = { pinnedSigner: RSA1, lineage: [RSA1, RSA2] };
    expect(checkSigner(app, inspection({ signers: [RSA3], lineage: [RSA1, RSA2, RSA3] }))).toMatchObject({
      ok: true,
      rotated: true,
      lineage: [RSA1, RSA2, RSA3],
    });
    expect(checkSigner(app, inspection({ signers: [RSA2], lineage: [RSA1, RSA2] }))).toMatchObject({
      ok: true,
      rotated: false,
    });
  });

  it('refuses a lineage that does not start with the pinned signer', () => {
    const d = checkSigner(
      { pinnedSigner: RSA1, lineage: [] },
      inspection({ signers: [RSA3], lineage: [OTHER, RSA3] }),
    );
    expect(d).toMatchObject({ ok: false, code: 'signer_mismatch' });
  });

  it('refuses a lineage whose last certificate is not the signer, and one that forks the known history', () => {
    expect(
      checkSigner(
        { pinnedSigner: RSA1, lineage: [] },
        inspection({ signers: [RSA3], lineage: [RSA1, RSA2] }),
      ),
    ).toMatchObject({ ok: false, code: 'signer_mismatch' });
    expect(
      checkSigner(
        { pinnedSigner: RSA1, lineage: [RSA1, RSA2] },
        inspection({ signers: [RSA3], lineage: [RSA1, OTHER, RSA3] }),
      ),
    ).toMatchObject({ ok: false, code: 'signer_mismatch' });
  });

  it('refuses going back to the old key once rotated (no rollback capability is honoured)', () => {
    const d = checkSigner({ pinnedSigner: RSA1, lineage: [RSA1, RSA2] }, inspection({ signers: [RSA1] }));
    expect(d).toMatchObject({ ok: false, code: 'signer_mismatch' });
  });

  it('refuses APKs with no signer or several', () => {
    expect(checkSigner(null, inspection({ signers: [] }))).toMatchObject({ ok: false });
    expect(checkSigner(null, inspection({ signers: [RSA1, OTHER] }))).toMatchObject({
      ok: false,
      code: 'signer_mismatch',
    });
  });
});

describe('versionCode per track', () => {
  it('accepts the first version and any higher code; refuses equal or lower', () => {
    expect(checkVersionCode(null, 1, 'stable')).toEqual({ ok: true });
    expect(checkVersionCode(10, 11, 'stable')).toEqual({ ok: true });
    expect(checkVersionCode(10, 10, 'beta')).toMatchObject({
      ok: false,
      code: 'version_code_not_increasing',
    });
    expect(checkVersionCode(10, 9, 'pilot')).toMatchObject({
      ok: false,
      code: 'version_code_not_increasing',
    });
  });
});

describe('policy findings', () => {
  const facts = (over: Partial<ApkInspection> = {}) => manifestFacts(inspection(over));

  it('finds nothing in a compliant app', () => {
    expect(policyFindings(facts(), DEFAULT_STORE_POLICY)).toEqual([]);
  });

  it('flags denied permissions, and permissions outside an allow list', () => {
    const policy: StorePolicy = {
      ...DEFAULT_STORE_POLICY,
      permissionAllow: ['android.permission.INTERNET', 'android.permission.READ_SMS'],
    };
    const f = policyFindings(
      facts({
        permissions: [
          'android.permission.CAMERA',
          'android.permission.INTERNET',
          'android.permission.READ_SMS',
        ],
      }),
      policy,
    );
    expect(f).toEqual([
      { code: 'permission_not_allowed', detail: 'android.permission.CAMERA' },
      { code: 'permission_denied', detail: 'android.permission.READ_SMS' },
    ]);
  });

  it('flags debuggable APKs and a target SDK under the floor (or absent)', () => {
    expect(policyFindings(facts({ debuggable: true }), DEFAULT_STORE_POLICY).map((x) => x.code)).toEqual([
      'debuggable',
    ]);
    expect(policyFindings(facts({ targetSdk: 34 }), DEFAULT_STORE_POLICY).map((x) => x.code)).toEqual([
      'target_sdk_below_floor',
    ]);
    expect(policyFindings(facts({ targetSdk: 34 }), { ...DEFAULT_STORE_POLICY, minTargetSdk: 34 })).toEqual(
      [],
    );
  });

  it("flags cleartext when declared, or by the platform's default below targetSdk 28, unless allowed", () => {
    const lenient = { ...DEFAULT_STORE_POLICY, minTargetSdk: 1 };
    // Versions stored before the inspector read network security configs carry no cleartextTraffic.
    const old = (over: Partial<ApkInspection>) => ({ ...facts(over), cleartextTraffic: undefined });
    expect(policyFindings(old({ usesCleartextTraffic: true }), lenient).map((x) => x.code)).toEqual([
      'cleartext_traffic',
    ]);
    expect(
      policyFindings(old({ usesCleartextTraffic: null, targetSdk: 27 }), lenient).map((x) => x.code),
    ).toEqual(['cleartext_traffic']);
    expect(policyFindings(old({ usesCleartextTraffic: null, targetSdk: 28 }), lenient)).toEqual([]);
    expect(policyFindings(old({ usesCleartextTraffic: true }), { ...lenient, allowCleartext: true })).toEqual(
      [],
    );
  });

  it('judges an app with a network security config by the config, naming the hosts it lets through', () => {
    const nsc = (permitted: boolean, domains: string[]) =>
      facts({
        usesCleartextTraffic: false,
        cleartextTraffic: { permitted, domains, decidedBy: 'network-security-config' },
      });
    expect(policyFindings(nsc(false, ['*.legacy.gov.example']), DEFAULT_STORE_POLICY)).toEqual([
      {
        code: 'cleartext_traffic',
        detail: 'the network security config permits cleartext to *.legacy.gov.example',
      },
    ]);
    expect(policyFindings(nsc(true, []), DEFAULT_STORE_POLICY).map((x) => x.code)).toEqual([
      'cleartext_traffic',
    ]);
    expect(policyFindings(nsc(false, []), DEFAULT_STORE_POLICY)).toEqual([]);
    expect(
      policyFindings(nsc(false, ['a.example']), { ...DEFAULT_STORE_POLICY, allowCleartext: true }),
    ).toEqual([]);
  });
});

describe('permission diff and approvals', () => {
  it('lists what a version adds and drops against the previous one', () => {
    expect(permissionDiff(['a', 'b'], ['b', 'd', 'c'])).toEqual({ added: ['c', 'd'], removed: ['a'] });
    expect(permissionDiff(null, ['x'])).toEqual({ added: ['x'], removed: [] });
  });

  it('needs two approvers for a mandatory app, one otherwise', () => {
    expect([approvalsNeeded(false), approvalsNeeded(true)]).toEqual([1, 2]);
  });
});
