import { describe, expect, it } from 'vitest';
import { reportedApps } from './reported-apps';

describe("a device's reported apps", () => {
  it('lists the apps of the last check-in by package, crashes 0 when not reported', () => {
    expect(
      reportedApps({
        securityPatch: '2025-11-05',
        apps: [
          { package: 'org.pakawaaz.eoffice', versionCode: 1, crashes: 2 },
          { package: 'org.pakawaaz.agent', versionCode: 1 },
        ],
      }),
    ).toEqual([
      { package: 'org.pakawaaz.agent', versionCode: 1, crashes: 0 },
      { package: 'org.pakawaaz.eoffice', versionCode: 1, crashes: 2 },
    ]);
  });

  it('is null before any report, and skips what is not an app', () => {
    expect(reportedApps(null)).toBeNull();
    expect(reportedApps({ securityPatch: '2025-11-05' })).toBeNull();
    expect(reportedApps({ apps: [null, 'x', { package: 'a' }, { versionCode: 3 }] })).toEqual([]);
  });
});
