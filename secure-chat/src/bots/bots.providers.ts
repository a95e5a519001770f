import type { Provider } from '@nestjs/common';
import { DATABASE, KEYS, type DatabaseHandle, type KeyService } from '@pakawaaz/platform';
import type { ChatWake } from '../chat-ports.js';
import type { ChatHub } from '../ws/chat-hub.js';
import { ActiveBots } from './active-bots.guard.js';
import { BotBudgets } from './bot-budget.js';
import { BotAwareDirectory } from './bot-directory.js';
import { BotSendBudget } from './bot-send-budget.guard.js';
import { BOT_SECRETS, openBotSecrets } from './bot-secrets.js';
import { BotWebhooks } from './bot-webhooks.service.js';
import { BotWakeTap } from './bot-wake-tap.js';
import { BOTS_CONFIG, type BotsConfig } from './bots.config.js';
import { BotDirectoryController, BotEnrolmentController, BotsAdminController } from './bots.controller.js';
import { BotsRepository } from './bots.repository.js';
import { BotsService } from './bots.service.js';

export { BotWakeTap };

/** The e-Office bot API's pieces, for SecureChatModule (which binds CHAT_DIRECTORY and CHAT_WAKE through them). */
export const BOT_CONTROLLERS = [BotsAdminController, BotEnrolmentController, BotDirectoryController];

export const botProviders = (config: BotsConfig): Provider[] => [
  { provide: BOTS_CONFIG, useValue: config },
  {
    // Webhook secrets sealed at rest; rows from before sealing are sealed at start-up.
    provide: BOT_SECRETS,
    inject: [KEYS, DATABASE],
    useFactory: (keys: KeyService, db: DatabaseHandle) => openBotSecrets(keys, db, config.secretsKeyFile),
  },
  BotsRepository,
  BotsService,
  BotWebhooks,
  BotAwareDirectory,
  BotBudgets,
  BotSendBudget,
  ActiveBots,
  BotWakeTap,
];

/** CHAT_WAKE: the hub (sockets, push, other nodes), and bots' webhooks. */
export const wakeWithBots = (hub: ChatHub, tap: BotWakeTap): ChatWake => ({
  queued: (ids) => {
    hub.queued(ids);
    tap.listener?.(ids);
  },
  handOff: (handed) => {
    hub.handOff(handed);
    if (tap.listener) tap.listener([...new Set(handed.map((h) => h.deviceId))]);
  },
  keyPackagesLow: (id, left) => hub.keyPackagesLow(id, left),
  removed: (id) => hub.removed(id),
});
