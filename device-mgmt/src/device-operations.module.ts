import { Module } from '@nestjs/common';
import { CheckInController } from './check-in/check-in.controller.js';
import { CheckInRepository } from './check-in/check-in.repository.js';
import { CheckInService } from './check-in/check-in.service.js';
import { CommandOutcomes } from './commands/command-outcomes.js';
import { CommandsController } from './commands/commands.controller.js';
import { CommandsRepository } from './commands/commands.repository.js';
import { CommandsService } from './commands/commands.service.js';
import { BootKeyCompromisedListener } from './compliance/boot-key-compromised.listener.js';
import { ComplianceRecorder } from './compliance/compliance-recorder.js';
import { ComplianceSweepService } from './compliance/compliance-sweep.service.js';
import { Officials } from './enrolment/officials.js';
import { DeviceStateRepository } from './devices/device-state.repository.js';
import { DeviceGroupsController } from './groups/device-groups.controller.js';
import { DeviceGroupsRepository } from './groups/device-groups.repository.js';
import { DeviceGroupsService } from './groups/device-groups.service.js';
import { PoliciesController } from './policies/policies.controller.js';
import { PoliciesRepository } from './policies/policies.repository.js';
import { PoliciesService } from './policies/policies.service.js';
import { OsUpdateRecorder } from './os-updates/os-update-recorder.js';
import { OsUpdateRelay } from './os-updates/os-update-relay.js';
import { OsUpdatesRepository } from './os-updates/os-updates.repository.js';

/**
 * Enrolled handsets in operation: policies, compliance, commands and check-ins. The ports it uses but does
 * not implement (DEVICE_CERTIFICATES, DEVICE_PUSH, HARDENED_OS_RELEASES, OS_ROLLOUTS) are optional: without them
 * certificates are not revoked, handsets are not woken (they check in on their interval) and the policy's
 * own minimum patch level is the only one, and no OS update is ever offered. DeviceMgmtModule binds the first two.
 */
@Module({
  controllers: [PoliciesController, DeviceGroupsController, CommandsController, CheckInController],
  providers: [
    DeviceStateRepository,
    PoliciesRepository,
    PoliciesService,
    DeviceGroupsRepository,
    DeviceGroupsService,
    CommandsRepository,
    CommandOutcomes,
    CommandsService,
    Officials,
    ComplianceRecorder,
    ComplianceSweepService,
    BootKeyCompromisedListener,
    CheckInRepository,
    CheckInService,
    OsUpdatesRepository,
    OsUpdateRecorder,
    OsUpdateRelay,
  ],
  exports: [PoliciesService, CommandsService, CheckInService, ComplianceSweepService, OsUpdateRecorder],
})
export class DeviceOperationsModule {}
