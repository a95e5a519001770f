import { describe, expect, it } from 'vitest';
import { publishText, uploadBar } from './store.js';

describe('pakawaaz store', () => {
  it('draws the upload bar from the bytes sent', () => {
    expect(uploadBar(0, 4 * 1024 * 1024, 10)).toBe('[----------]   0% 0.0/4.0 MiB');
    expect(uploadBar(1024 * 1024, 4 * 1024 * 1024, 10)).toBe('[###-------]  25% 1.0/4.0 MiB');
    expect(uploadBar(4 * 1024 * 1024, 4 * 1024 * 1024, 10)).toBe('[##########] 100% 4.0/4.0 MiB');
    expect(uploadBar(0, 0, 4)).toBe('[####] 100% 0.0/0.0 MiB');
  });

  it('prints the verification result: signer, schemes, permission changes and policy findings', () => {
    const text = publishText({
      app: {
        id: 'a',
        packageName: 'gov.pk.mail',
        orgId: 'o',
        pinnedSigner: 'fb5d',
        lineage: ['fb5d', '681b'],
        mandatory: false,
        createdAt: '2026-12-05T00:00:00.000Z',
      },
      version: {
        id: 'v',
        appId: 'a',
        versionCode: 11,
        versionName: '1.1',
        track: 'beta',
        apkSha256: 'ab'.repeat(32),
        sizeBytes: 1234,
        signers: ['681b'],
        manifest: {
          package: 'gov.pk.mail',
          versionCode: 11,
          versionName: '1.1',
          minSdk: 28,
          targetSdk: 35,
          permissions: ['android.permission.CAMERA'],
          debuggable: true,
          usesCleartextTraffic: false,
          cleartextTraffic: { permitted: false, domains: [], decidedBy: 'manifest' },
          nativeAbis: ['arm64-v8a'],
          schemes: { v1: false, v2: true, v3: true },
          lineage: ['fb5d', '681b'],
        },
        findings: [{ code: 'debuggable', detail: 'android:debuggable="true"' }],
        notes: '',
        state: 'in_review',
        createdBy: 'operator:dev',
        createdAt: '2026-12-05T00:00:00.000Z',
        reviews: [],
      },
      rotated: true,
      permissionDiff: { added: ['android.permission.CAMERA'], removed: ['android.permission.INTERNET'] },
    });
    expect(text.split('\n')).toEqual([
      'gov.pk.mail 1.1 (versionCode 11) on beta: in_review',
      `  sha256     ${'ab'.repeat(32)}  1234 bytes`,
      '  signed     681b (v2+v3)  rotated from the pinned signer',
      '  sdk        min 28, target 35  abis arm64-v8a',
      '  + android.permission.CAMERA',
      '  - android.permission.INTERNET',
      '  finding    debuggable: android:debuggable="true"',
      '',
    ]);
  });
});
