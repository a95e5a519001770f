import { Module } from '@nestjs/common';
import { PushModule } from './push/push.module.js';

/** Nest module of the device-mgmt domain; features register their controllers and providers here as they land. */
@Module({ imports: [PushModule], exports: [PushModule] })
export class DeviceMgmtModule {}
