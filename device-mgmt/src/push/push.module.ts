import { Module, type DynamicModule } from '@nestjs/common';
import { DEVICE_PUSH } from '../devices/device-ports.js';
import { PUSH_CONFIG, type PushConfig } from '../device-mgmt.config.js';
import { DevicePushService } from './device-push.service.js';

/**
 * Push without FCM: DEVICE_PUSH over MQTT (embedded broker or MQTT_URL). Imported once, by DeviceMgmtModule,
 * and global so that any feature (commands, compliance) injects DEVICE_PUSH without importing it again — a
 * second import would be a second broker on the same port.
 */
@Module({})
export class PushModule {
  static forRoot(config: PushConfig): DynamicModule {
    return {
      module: PushModule,
      global: true,
      providers: [
        { provide: PUSH_CONFIG, useValue: config },
        DevicePushService,
        { provide: DEVICE_PUSH, useExisting: DevicePushService },
      ],
      exports: [DEVICE_PUSH, DevicePushService],
    };
  }
}
