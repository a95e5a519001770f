import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileKeyBackend, KeyService, platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, testLogger, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBotSecrets } from '../../src/bots/bot-secrets.js';
import { chatBots } from '../../src/bots/bots.schema.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, secureChatDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'bot-secrets-'));
});

afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const PLAIN = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const bot = (name: string, webhookSecret: string) => ({
  institutionId: '00000000-0000-4000-8000-000000000001',
  name,
  webhookUrl: 'https://eoffice.gov.example/hook',
  webhookSecret,
  createdBy: 'operator:test',
});

describe('bot webhook secrets sealed at rest (the key service)', () => {
  it('seals the plaintext rows from before sealing at start-up, and opens them to the same secret', async () => {
    const [old] = await db.handle.db.insert(chatBots).values(bot('old', PLAIN)).returning();
    const keys = new KeyService(new FileKeyBackend(), testLogger);
    const file = path.join(dir, 'bot-secrets.key');
    const secrets = await openBotSecrets(keys, db.handle, file);
    const [row] = await db.handle.db.select().from(chatBots);
    expect(row!.id).toBe(old!.id);
    expect(row!.webhookSecret).toMatch(/^s1\./);
    expect(row!.webhookSecret).not.toContain(PLAIN.slice(6));
    expect(await secrets.open(row!.webhookSecret)).toBe(PLAIN);
    // A fresh seal of the same secret differs (random nonce), and is bound to its purpose.
    const sealed = await secrets.seal(PLAIN);
    expect(sealed).not.toBe(row!.webhookSecret);
    expect(await secrets.open(sealed)).toBe(PLAIN);
    await expect(secrets.open(`s1.${Buffer.from('forged').toString('base64url')}`)).rejects.toThrow();
    // A second start finds nothing left to seal; without the key, the sealed rows refuse to start.
    const again = await openBotSecrets(new KeyService(new FileKeyBackend(), testLogger), db.handle, file);
    expect(await again.open(row!.webhookSecret)).toBe(PLAIN);
    await expect(
      openBotSecrets(new KeyService(new FileKeyBackend(), testLogger), db.handle, path.join(dir, 'lost.key')),
    ).rejects.toThrow(/missing/);
  });
});
