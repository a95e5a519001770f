import { sharedBudgetTable } from '@pakawaaz/platform';
import { secureChatSchema } from '../secure-chat.schema.js';

/**
 * Each bot's send budget (a token bucket of PAKAWAAZ_CHAT_BOT_SENDS_PER_MINUTE, bursts of
 * PAKAWAAZ_CHAT_BOT_SEND_BURST), keyed by the bot's device id and shared by every node: N nodes do not give a
 * bot N times its rate. A row whose bucket has refilled carries nothing and is swept.
 */
export const botSendBudgets = sharedBudgetTable(secureChatSchema, 'bot_send_budgets');
