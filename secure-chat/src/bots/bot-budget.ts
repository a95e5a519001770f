import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, SharedBudget, type DatabaseHandle, type RateDecision } from '@pakawaaz/platform';
import { botSendBudgets } from './bot-budget.schema.js';
import { BOTS_CONFIG, type BotsConfig } from './bots.config.js';

/**
 * Bots' send budgets, counted for the whole deployment (`secure_chat.bot_send_budgets`): a token bucket per
 * bot of `sendsPerMinute` a minute with bursts of `sendBurst`, whichever node the send reaches — the
 * platform's SharedBudget (one upsert on the database's clock; the node's own bucket is asked first, so a
 * bot flooding one node costs memory, not statements).
 */
@Injectable()
export class BotBudgets {
  private readonly budget: SharedBudget;

  constructor(
    @Inject(DATABASE) database: DatabaseHandle,
    @Inject(BOTS_CONFIG) config: Pick<BotsConfig, 'sendsPerMinute' | 'sendBurst'>,
  ) {
    this.budget = new SharedBudget(database, botSendBudgets, {
      perMinute: config.sendsPerMinute,
      burst: config.sendBurst,
    });
  }

  /** Spends one send of the bot's budget (`botId`: its device id). */
  take(botId: string, nowMs = Date.now()): Promise<RateDecision> {
    return this.budget.take(botId, nowMs);
  }
}
