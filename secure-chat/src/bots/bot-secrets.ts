import { SEALED_TEXT_PREFIX, type DatabaseHandle, type KeySet, type KeyService } from '@pakawaaz/platform';
import { and, eq, like } from 'drizzle-orm';
import { chatBots } from './bots.schema.js';

export const BOT_SECRETS = Symbol.for('pakawaaz.secure-chat.BotSecrets');

/** Seals bots' webhook secrets (the server signs with them, so it keeps them) under the `bot-secrets` key set. */
export type BotSecrets = {
  seal(webhookSecret: string): Promise<string>;
  /** The secret of a stored value: sealed, or (a row from before sealing, until resealed) plaintext. */
  open(stored: string): Promise<string>;
};

const CONTEXT = 'secure-chat:bot-webhook-secret';
/** Standard Webhooks secrets as bots were given them: how a row from before sealing looks. */
const PLAINTEXT = 'whsec_';

export function botSecretsOver(keys: KeySet): BotSecrets {
  return {
    seal(secret) {
      return keys.sealText(secret, CONTEXT);
    },
    async open(stored) {
      if (stored.startsWith(PLAINTEXT)) return stored;
      return (await keys.openText(stored, CONTEXT)).toString('utf8');
    },
  };
}

/**
 * Seals the webhook secrets still stored in plaintext (rows from before sealing): at start-up, each row by a
 * conditional update (another node sealing the same row at once leaves one sealed value). SQL cannot seal
 * (the key is the key service's), so this is the data migration. Returns how many rows it sealed.
 */
export async function sealPlaintextBotSecrets(
  database: DatabaseHandle,
  secrets: BotSecrets,
): Promise<number> {
  const rows = await database.db
    .select({ id: chatBots.id, webhookSecret: chatBots.webhookSecret })
    .from(chatBots)
    .where(like(chatBots.webhookSecret, `${PLAINTEXT}%`));
  let sealed = 0;
  for (const r of rows) {
    const done = await database.db
      .update(chatBots)
      .set({ webhookSecret: await secrets.seal(r.webhookSecret) })
      .where(and(eq(chatBots.id, r.id), eq(chatBots.webhookSecret, r.webhookSecret)))
      .returning({ id: chatBots.id });
    sealed += done.length;
  }
  return sealed;
}

export async function openBotSecrets(
  keys: KeyService,
  database: DatabaseHandle,
  file: string,
): Promise<BotSecrets> {
  const set = await keys.useKeySet({
    name: 'bot-secrets',
    file,
    protects: "e-Office bots' webhook secrets",
    fileVariable: 'PAKAWAAZ_CHAT_BOT_SECRETS_KEY_FILE',
    inUse: async () => {
      const [row] = await database.db
        .select({ id: chatBots.id })
        .from(chatBots)
        .where(like(chatBots.webhookSecret, `${SEALED_TEXT_PREFIX}%`))
        .limit(1);
      return row !== undefined;
    },
  });
  const secrets = botSecretsOver(set);
  await sealPlaintextBotSecrets(database, secrets);
  return secrets;
}
