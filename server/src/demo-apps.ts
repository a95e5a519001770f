import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DemoAppsService, type DemoAppResult } from '@pakawaaz/app-store';
import type { DeviceMgmtConfig } from '@pakawaaz/device-mgmt';
import { buildDemoEofficeApk, DEMO_EOFFICE } from '@pakawaaz/handset-simulator';
import { FirstStartService } from '@pakawaaz/identity';
import type { PlatformConfig } from '@pakawaaz/platform';

/**
 * The demo's apps for its handsets: e-Office, mandatory in the demo institution, published and approved
 * through the store's own services (DemoAppsService). It comes with the demo fleet — demo data and
 * PAKAWAAZ_DEMO_FLEET on — since its handsets are what installs it. The APK is built and signed with the
 * lab folder's demo key (`<lab>/demo-apk-signer.key`, 0600) only when the store does not have it yet.
 */
export async function seedDemoApps(o: {
  app: INestApplication;
  config: Pick<PlatformConfig, 'PAKAWAAZ_DOMAINS'>;
  deviceMgmt: Pick<DeviceMgmtConfig, 'demoFleet' | 'labRootFile'>;
}): Promise<DemoAppResult> {
  if (!o.config.PAKAWAAZ_DOMAINS.includes('app-store'))
    return { seeded: false, reason: 'app-store is not on this node' };
  if (!o.deviceMgmt.demoFleet) return { seeded: false, reason: 'the demo fleet is off' };
  const institutionId = await o.app.get(FirstStartService, { strict: false }).demoInstitutionId();
  if (institutionId === null) return { seeded: false, reason: 'no demo institution' };
  const labDir = path.dirname(o.deviceMgmt.labRootFile);
  return o.app.get(DemoAppsService, { strict: false }).ensure({
    institutionId,
    packageName: DEMO_EOFFICE.package,
    apk: () => buildDemoEofficeApk(labDir),
  });
}
