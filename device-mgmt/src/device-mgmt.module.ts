import { Module, type DynamicModule } from '@nestjs/common';
import type { DeviceMgmtConfig } from './device-mgmt.config.js';
import { PushModule } from './push/push.module.js';

/** Nest module of the device-mgmt domain; features register their controllers and providers here as they land. */
@Module({})
export class DeviceMgmtModule {
  static forRoot(config: DeviceMgmtConfig): DynamicModule {
    const push = PushModule.forRoot(config.push);
    return { module: DeviceMgmtModule, imports: [push], exports: [push] };
  }
}
