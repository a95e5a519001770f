import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { platformError, type DeviceAuthenticatedRequest } from '@pakawaaz/platform';
import { BotsRepository } from './bots.repository.js';

/**
 * On the chat routes bots may call: a bot is let in while its row is active only. Device management knows a
 * bot by its certificate alone (revoked when the bot is disabled); this is the chat's own word on it, so a
 * bot whose disabling stopped before the revocation, or that enrolled while it was being disabled, is refused
 * (`401 device_certificate_refused`, as a revoked certificate is). A handset or desktop passes untouched.
 */
@Injectable()
export class ActiveBots implements CanActivate {
  constructor(private readonly repo: BotsRepository) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const device = ctx.switchToHttp().getRequest<DeviceAuthenticatedRequest>().device;
    if (device?.kind !== 'bot') return true;
    if ((await this.repo.byId(device.deviceId))?.state === 'active') return true;
    throw platformError(
      'device_certificate_refused',
      'The device certificate is refused: the bot is disabled.',
      {
        reason: 'revoked',
      },
    );
  }
}
