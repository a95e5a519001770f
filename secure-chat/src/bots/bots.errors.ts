import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type BotsErrorCode =
  | 'invalid_bot_input'
  | 'bot_not_found'
  | 'bot_limit_reached'
  | 'webhook_secret_overlap_running'
  | 'bot_enrolment_invalid'
  | 'bot_csr_invalid'
  | 'bot_rate_limited'
  | 'bot_ca_unavailable';

export const BOTS_ERROR_STATUS = {
  // A name, institution or webhook URL the bot API does not take (https only; http on loopback in lab mode).
  invalid_bot_input: 400,
  // No bot with this id in the caller's institution (the same answer for a bot of another institution).
  bot_not_found: 404,
  // The institution has PAKAWAAZ_CHAT_BOT_MAX_PER_INSTITUTION bots (pending or active) already: disable one first.
  bot_limit_reached: 409,
  // A rotation with an overlap while the previous rotation's overlap still runs (it would drop that secret at
  // once): wait until details.previousSecretUntil, or rotate with overlapHours 0 to drop every old secret now.
  webhook_secret_overlap_running: 409,
  // The bot id and enrolment secret do not match a bot waiting for its certificate (spent, disabled, wrong).
  bot_enrolment_invalid: 401,
  // The CSR is not a P-256 PKCS#10 request signed with its own key.
  bot_csr_invalid: 400,
  // The bot sent more than its budget: wait `Retry-After` seconds.
  bot_rate_limited: 429,
  // Device management (the device CA) does not run on this node.
  bot_ca_unavailable: 503,
} as const satisfies Record<BotsErrorCode, HttpStatus>;

export const botsError = defineErrors(BOTS_ERROR_STATUS);
