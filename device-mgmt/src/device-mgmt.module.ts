import { Module } from '@nestjs/common';

/** Nest module of the device-mgmt domain; features register their controllers and providers here as they land. */
@Module({})
export class DeviceMgmtModule {}
