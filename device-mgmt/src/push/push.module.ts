import { Module, type DynamicModule } from '@nestjs/common';
import { DEVICE_PUSH } from '../devices/device-ports.js';
import { PUSH_CONFIG, type PushConfig } from '../device-mgmt.config.js';
import { DevicePushService } from './device-push.service.js';

/** Push without FCM: DEVICE_PUSH over MQTT (embedded broker or MQTT_URL). */
@Module({})
export class PushModule {
  static forRoot(config: PushConfig): DynamicModule {
    return {
      module: PushModule,
      providers: [
        { provide: PUSH_CONFIG, useValue: config },
        DevicePushService,
        { provide: DEVICE_PUSH, useExisting: DevicePushService },
      ],
      exports: [DEVICE_PUSH, DevicePushService],
    };
  }
}
