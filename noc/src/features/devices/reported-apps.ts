/** An app as a handset's last check-in reported it. */
export type ReportedApp = { package: string; versionCode: number; crashes: number };

/**
 * The apps of a device's last check-in report, by package. The server keeps the report whole as JSON
 * (`DeviceDetail.lastReport`, validated at check-in); the page reads its `apps` defensively all the same, as it
 * is typed as an open object, and skips an entry that is not an app.
 */
export function reportedApps(lastReport: Record<string, unknown> | null): ReportedApp[] | null {
  const apps = lastReport?.['apps'];
  if (!Array.isArray(apps)) return null;
  return apps
    .flatMap((a: unknown) => {
      if (typeof a !== 'object' || a === null) return [];
      const { package: pkg, versionCode, crashes } = a as Record<string, unknown>;
      if (typeof pkg !== 'string' || typeof versionCode !== 'number') return [];
      return [{ package: pkg, versionCode, crashes: typeof crashes === 'number' ? crashes : 0 }];
    })
    .sort((x, y) => x.package.localeCompare(y.package));
}
