import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { DeviceAuthenticatedRequest } from '@pakawaaz/platform';
import { BotBudgets } from './bot-budget.js';
import { botsError } from './bots.errors.js';

/**
 * On the chat routes that send (messages, commits): a bot spends one token of its budget (one for the whole
 * deployment, whichever node the send reaches: BotBudgets), a handset nothing; out of tokens is
 * `429 bot_rate_limited` with `Retry-After`. Runs after the global guard authenticated the device.
 */
@Injectable()
export class BotSendBudget implements CanActivate {
  constructor(private readonly budgets: BotBudgets) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const device = ctx.switchToHttp().getRequest<DeviceAuthenticatedRequest>().device;
    if (device?.kind !== 'bot') return true;
    const r = await this.budgets.take(device.deviceId);
    if (!r.allowed)
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
