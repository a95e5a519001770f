import { Module } from '@nestjs/common';
import { PLATFORM_CONFIG, type PlatformConfig } from '@pakawaaz/platform';
import { DEVICE_PUSH } from '../devices/device-ports.js';
import { loadPushConfig, PUSH_CONFIG } from '../device-mgmt.config.js';
import { DevicePushService } from './device-push.service.js';

/** Push without FCM: DEVICE_PUSH over MQTT (embedded broker or MQTT_URL). */
@Module({
  providers: [
    {
      provide: PUSH_CONFIG,
      // Parsed when the module is built, so a bad value still stops start-up naming the variable.
      useFactory: (platform: PlatformConfig) => loadPushConfig(process.env, platform),
      inject: [PLATFORM_CONFIG],
    },
    DevicePushService,
    { provide: DEVICE_PUSH, useExisting: DevicePushService },
  ],
  exports: [DEVICE_PUSH, DevicePushService],
})
export class PushModule {}
