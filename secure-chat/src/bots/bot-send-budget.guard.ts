import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { DeviceAuthenticatedRequest } from '@pakawaaz/platform';
import { BotBudgets } from './bot-budget.js';
import { BOTS_CONFIG, type BotsConfig } from './bots.config.js';
import { botsError } from './bots.errors.js';

/**
 * On the chat routes that send (messages, commits): a bot spends one token of its budget (per node), a
 * handset nothing; out of tokens is `429 bot_rate_limited` with `Retry-After`. Runs after the global guard
 * authenticated the device.
 */
@Injectable()
export class BotSendBudget implements CanActivate {
  private readonly budgets: BotBudgets;

  constructor(@Inject(BOTS_CONFIG) config: BotsConfig) {
    this.budgets = new BotBudgets(config.sendsPerMinute, config.sendBurst);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const device = ctx.switchToHttp().getRequest<DeviceAuthenticatedRequest>().device;
    if (device?.kind !== 'bot') return true;
    const r = this.budgets.take(device.deviceId, Date.now());
    if (!r.ok)
      throw botsError(
        'bot_rate_limited',
        `Too many sends from this bot: retry in ${r.retryAfterSeconds} s.`,
        {
          retryAfterSeconds: r.retryAfterSeconds,
        },
      );
    return true;
  }
}
