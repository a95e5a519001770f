import { Module, type DynamicModule } from '@nestjs/common';
import { DEVICE_TRUST } from '@pakawaaz/identity';
import {
  DATABASE,
  DEVICE_AUTHENTICATOR,
  DEVICE_EDGE_TLS,
  KEYS,
  LOGGER,
  type DatabaseHandle,
  type KeyService,
  type Logger,
} from '@pakawaaz/platform';
import { AppFleetRepository } from './app-fleet/app-fleet.repository.js';
import { AppFleetService } from './app-fleet/app-fleet.service.js';
import { BOT_CERTIFICATES } from './device-ca/bot-certificates.js';
import { DeviceCaPorts } from './device-ca/device-ca-ports.js';
import { DeviceCaRepository } from './device-ca/device-ca.repository.js';
import { DEVICE_CA_STATE, DeviceCaService, openDeviceCaState } from './device-ca/device-ca.service.js';
import { DeviceOperationsModule } from './device-operations.module.js';
import { DEVICE_MGMT_CONFIG, type DeviceMgmtConfig } from './device-mgmt.config.js';
import { DeviceAdminController } from './devices/device-admin.controller.js';
import { DeviceAdminRepository } from './devices/device-admin.repository.js';
import { DeviceAdminService } from './devices/device-admin.service.js';
import { DEVICE_CERTIFICATES } from './devices/device-ports.js';
import { AttestationContext } from './enrolment/attestation-context.js';
import { AttestationVerifier } from './enrolment/attestation-verifier.js';
import { DeviceAttestationController } from './enrolment/device-attestation.controller.js';
import { ChallengePrunerService } from './enrolment/challenge-pruner.service.js';
import { FleetOsRepository } from './os-updates/fleet-os.repository.js';
import { FleetOsService } from './os-updates/fleet-os.service.js';
import { DeviceAttestationService } from './enrolment/device-attestation.service.js';
import {
  DeviceCaController,
  HandsetEnrolmentController,
  EnrolmentTokensController,
} from './enrolment/enrolment.controller.js';
import { EnrolmentRepository } from './enrolment/enrolment.repository.js';
import { EnrolmentService } from './enrolment/enrolment.service.js';
import { DesktopEnrolmentController } from './enrolment/desktop-enrolment.controller.js';
import { DesktopEnrolmentService } from './enrolment/desktop-enrolment.service.js';
import { EnrolmentTokensService } from './enrolment/enrolment-tokens.service.js';
import { Officials } from './enrolment/officials.js';
import { PushModule } from './push/push.module.js';

/**
 * Device management: attested enrolment, the device CA and devices here; policies, compliance, commands
 * and check-ins in DeviceOperationsModule; push in PushModule. Global, so that the ports it implements
 * reach the kernel's guard (DEVICE_AUTHENTICATOR), the device edge (DEVICE_EDGE_TLS) and identity's device
 * factor (DEVICE_TRUST), which cannot import this domain, and app-store's installs (AppFleetService, which
 * the server binds to its APP_FLEET port).
 */
@Module({})
export class DeviceMgmtModule {
  static forRoot(config: DeviceMgmtConfig): DynamicModule {
    const push = PushModule.forRoot(config.push);
    return {
      module: DeviceMgmtModule,
      global: true,
      imports: [push, DeviceOperationsModule],
      controllers: [
        EnrolmentTokensController,
        HandsetEnrolmentController,
        DesktopEnrolmentController,
        DeviceCaController,
        DeviceAdminController,
        DeviceAttestationController,
      ],
      providers: [
        { provide: DEVICE_MGMT_CONFIG, useValue: config },
        {
          provide: DEVICE_CA_STATE,
          inject: [KEYS, DATABASE, LOGGER],
          useFactory: (keys: KeyService, database: DatabaseHandle, logger: Logger) =>
            openDeviceCaState(keys, database, config, logger),
        },
        DeviceCaRepository,
        DeviceCaService,
        DeviceCaPorts,
        { provide: DEVICE_AUTHENTICATOR, useExisting: DeviceCaPorts },
        { provide: DEVICE_EDGE_TLS, useExisting: DeviceCaPorts },
        { provide: DEVICE_TRUST, useExisting: DeviceCaPorts },
        { provide: DEVICE_CERTIFICATES, useExisting: DeviceCaPorts },
        { provide: BOT_CERTIFICATES, useExisting: DeviceCaPorts },
        AttestationContext,
        AttestationVerifier,
        Officials,
        EnrolmentRepository,
        EnrolmentTokensService,
        EnrolmentService,
        DesktopEnrolmentService,
        DeviceAdminRepository,
        DeviceAdminService,
        FleetOsRepository,
        FleetOsService,
        DeviceAttestationService,
        ChallengePrunerService,
        AppFleetRepository,
        AppFleetService,
      ],
      // AppFleetService: the server binds app-store's APP_FLEET port to it.
      exports: [
        DEVICE_AUTHENTICATOR,
        DEVICE_EDGE_TLS,
        DEVICE_TRUST,
        DEVICE_CERTIFICATES,
        BOT_CERTIFICATES,
        push,
        AppFleetService,
      ],
    };
  }
}
