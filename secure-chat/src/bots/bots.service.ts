import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { BOT_CERTIFICATES, DeviceCaError, type BotCertificates } from '@pakawaaz/device-mgmt';
import {
  AuditService,
  DEVICE_EDGE_TLS,
  hasRole,
  newWebhookSecret,
  requireInScope,
  requireRole,
  scopeIds,
  type DeviceEdgeTls,
  type DevicePrincipal,
  type Principal,
} from '@pakawaaz/platform';
import { DeviceRemovalService } from '../membership/device-removal.service.js';
import { BOT_SECRETS, type BotSecrets } from './bot-secrets.js';
import { BOTS_CONFIG, redactedWebhookUrl, webhookUrlProblem, type BotsConfig } from './bots.config.js';
import { botsError } from './bots.errors.js';
import { BotsRepository } from './bots.repository.js';
import { BotWebhooks } from './bot-webhooks.service.js';
import type { ChatBotRow } from './bots.schema.js';

export type BotView = {
  id: string;
  name: string;
  institutionId: string;
  webhookUrl: string;
  state: ChatBotRow['state'];
  /** What an official's device claims KeyPackages with (`POST /api/v1/chat/key-packages/claim`). */
  user: string;
  failures: number;
  lastDeliveryAt: string | null;
  lastError: string | null;
  /** When the failing webhook is tried again (null: not backing off). */
  nextAttemptAt: string | null;
  enrolledAt: string | null;
  createdAt: string;
};

const hashOf = (secret: string) => createHash('sha256').update(secret).digest();
export const botUser = (id: string) => `bot:${id}`;

/**
 * e-Office bots: an institution's chat administrator (or a national one) registers a bot and receives its
 * webhook secret and one-time enrolment secret once; the bot enrols with a CSR and gets a device-CA certificate
 * naming it (device management issues it: one CA); disabling revokes that certificate and takes the bot out of
 * every group through the removal machinery. An institution's administrator sees and acts on its bots only.
 */
@Injectable()
export class BotsService {
  constructor(
    private readonly repo: BotsRepository,
    private readonly removal: DeviceRemovalService,
    private readonly audit: AuditService,
    private readonly webhooks: BotWebhooks,
    @Inject(BOTS_CONFIG) private readonly config: BotsConfig,
    @Inject(BOT_SECRETS) private readonly secrets: BotSecrets,
    @Optional() @Inject(BOT_CERTIFICATES) private readonly certificates?: BotCertificates | null,
    @Optional() @Inject(DEVICE_EDGE_TLS) private readonly edge?: DeviceEdgeTls | null,
  ) {}

  async register(
    input: { name: string; institutionId?: string | undefined; webhookUrl: string },
    by: Principal,
    requestId: string,
  ): Promise<BotView & { webhookSecret: string; enrolmentSecret: string }> {
    requireRole(by, 'chat-admin');
    const ids = scopeIds(by);
    const institutionId = input.institutionId ?? ids?.[0];
    if (!institutionId)
      throw botsError('invalid_bot_input', 'institutionId: a national administrator names the institution.');
    requireInScope(by, institutionId);
    const problem = webhookUrlProblem(input.webhookUrl, this.config.loopbackHttp, this.config.webhookHosts);
    if (problem) throw botsError('invalid_bot_input', `webhookUrl: ${problem}.`, { field: 'webhookUrl' });
    const webhookSecret = newWebhookSecret();
    const enrolmentSecret = randomBytes(32).toString('base64url');
    const max = this.config.maxBotsPerInstitution;
    const row = await this.repo.insertWithin(
      {
        institutionId,
        name: input.name,
        webhookUrl: input.webhookUrl,
        webhookSecret: await this.secrets.seal(webhookSecret),
        enrolmentSecretHash: hashOf(enrolmentSecret).toString('base64url'),
        createdBy: `${by.actor.type}:${by.actor.id}`,
      },
      max,
    );
    if (!row)
      throw botsError('bot_limit_reached', `The institution has ${max} bots already: disable one first.`, {
        max,
      });
    await this.audit.record({
      actor: by.actor,
      action: 'secure-chat.bot.registered',
      target: `bot:${row.id}`,
      details: { name: row.name, institutionId, webhookUrl: redactedWebhookUrl(row.webhookUrl) },
      requestId,
    });
    return { ...view(row), webhookSecret, enrolmentSecret };
  }

  /**
   * A new webhook secret, shown in this reply only; the old one still signs deliveries (a second signature)
   * until `previousSecretUntil`, `overlapHours` from now (default PAKAWAAZ_CHAT_BOT_WEBHOOK_SECRET_OVERLAP_HOURS),
   * so the receiver can switch without a delivery it cannot verify. A rotation with an overlap while an
   * earlier one's still runs is refused (409 webhook_secret_overlap_running): it would replace that previous
   * secret, which the receiver may still verify with, at once. `overlapHours` 0 drops every old secret now
   * (a leaked secret) and is always allowed. The bot stays in its groups. Audited without the secret.
   */
  async rotateWebhookSecret(
    id: string,
    by: Principal,
    requestId: string,
    overlapHours?: number,
  ): Promise<BotView & { webhookSecret: string; previousSecretUntil: string | null }> {
    requireRole(by, 'chat-admin');
    const notFound = () => botsError('bot_not_found', 'No such bot in your institution.');
    const before = await this.repo.byId(id);
    if (!before) throw notFound();
    requireInScope(by, before.institutionId, notFound);
    const overlapMs = overlapHours === undefined ? this.config.secretOverlapMs : overlapHours * 3_600_000;
    const webhookSecret = newWebhookSecret();
    const rotated = await this.repo.rotateSecret(id, await this.secrets.seal(webhookSecret), overlapMs);
    if (!rotated) throw notFound();
    if ('overlapUntil' in rotated) {
      const until = rotated.overlapUntil.toISOString();
      throw botsError(
        'webhook_secret_overlap_running',
        `The previous webhook secret is still accepted until ${until} (an earlier rotation's overlap): rotate again after that, or with overlapHours 0 to drop every old secret now.`,
        { previousSecretUntil: until },
      );
    }
    const { row } = rotated;
    const previousSecretUntil = row.previousSecretUntil?.toISOString() ?? null;
    await this.audit.record({
      actor: by.actor,
      action: 'secure-chat.bot.webhook-secret-rotated',
      target: `bot:${id}`,
      details: { name: row.name, institutionId: row.institutionId, previousSecretUntil },
      requestId,
    });
    return { ...view(row), webhookSecret, previousSecretUntil };
  }

  async list(by: Principal): Promise<BotView[]> {
    requireRole(by, 'chat-admin', 'viewer');
    // A viewer sees where the webhooks go, not the secret a query string may carry.
    const full = hasRole(by, ['chat-admin']);
    return (await this.repo.list(scopeIds(by))).map((b) => view(b, full));
  }

  /**
   * Revokes the bot's certificate and takes it out of its groups (the server proposes its Remove), then marks
   * it disabled: marked last, so a revocation or removal that fails (no device CA here, the database, a busy
   * group) leaves it active and the call can be repeated. Both steps are idempotent and run again on a bot
   * already disabled (one disabled before this order finishes the steps it missed); the audit records the
   * first only. The chat routes refuse a bot that is not active (ActiveBots), whatever its certificate.
   */
  async disable(id: string, by: Principal, requestId: string): Promise<BotView> {
    requireRole(by, 'chat-admin');
    const row = await this.repo.byId(id);
    const notFound = () => botsError('bot_not_found', 'No such bot in your institution.');
    if (!row) throw notFound();
    requireInScope(by, row.institutionId, notFound);
    await this.ca().revokeBot(id);
    await this.removal.removeDevice(id, null, 'retired');
    this.webhooks.remember(id, false);
    if (row.state !== 'disabled') {
      await this.repo.update(id, { state: 'disabled', disabledAt: new Date(), enrolmentSecretHash: null });
      await this.audit.record({
        actor: by.actor,
        action: 'secure-chat.bot.disabled',
        target: `bot:${id}`,
        details: { name: row.name, institutionId: row.institutionId },
        requestId,
      });
    }
    return view((await this.repo.byId(id))!);
  }

  /**
   * The bot's side (public: the enrolment secret is the credential, spent once): a P-256 CSR → its certificate
   * (the MLS credential and the mTLS client certificate of the device port) and the CA certificates.
   */
  async enrol(input: { botId: string; enrolmentSecret: string; csr: Uint8Array }) {
    const ca = this.ca();
    const refused = () =>
      botsError('bot_enrolment_invalid', 'Unknown bot, or its enrolment secret is spent or wrong.');
    const issued = await this.repo.db.transaction(async (tx) => {
      const row = await this.repo.lockPending(input.botId, tx);
      const given = hashOf(input.enrolmentSecret);
      const expected = row?.enrolmentSecretHash ? Buffer.from(row.enrolmentSecretHash, 'base64url') : null;
      if (!row || !expected || expected.length !== given.length || !timingSafeEqual(expected, given))
        throw refused();
      let cert;
      try {
        // In the transaction: the certificate is recorded with the bot's activation or not at all (and the
        // embedded database's one connection is the transaction's).
        cert = await ca.issueBot(row.id, row.institutionId, input.csr, tx);
      } catch (err) {
        if (err instanceof DeviceCaError) throw botsError('bot_csr_invalid', err.message, { code: err.code });
        throw err;
      }
      await this.repo.update(
        row.id,
        { state: 'active', enrolmentSecretHash: null, enrolledAt: new Date() },
        tx,
      );
      return cert;
    });
    this.webhooks.remember(input.botId, true);
    return {
      botId: input.botId,
      user: botUser(input.botId),
      certificate: issued.pem,
      notAfter: issued.notAfter.toISOString(),
      caCertificates: this.edge ? [...(await this.edge.clientCas())] : [],
    };
  }

  /** The active bots an official's device may add to a group: its institution's only. */
  async directory(device: DevicePrincipal): Promise<{ id: string; name: string; user: string }[]> {
    if (!device.institutionId) return [];
    return (await this.repo.list([device.institutionId]))
      .filter((b) => b.state === 'active')
      .map((b) => ({ id: b.id, name: b.name, user: botUser(b.id) }));
  }

  private ca(): BotCertificates {
    if (!this.certificates)
      throw botsError('bot_ca_unavailable', 'Device management (the device CA) is not running on this node.');
    return this.certificates;
  }
}

/** The bot as the bot API shows it; the webhook URL redacted (no query string) unless `fullUrl`. */
function view(b: ChatBotRow, fullUrl = true): BotView {
  return {
    id: b.id,
    name: b.name,
    institutionId: b.institutionId,
    webhookUrl: fullUrl ? b.webhookUrl : redactedWebhookUrl(b.webhookUrl),
    state: b.state,
    user: botUser(b.id),
    failures: b.failures,
    lastDeliveryAt: b.lastDeliveryAt?.toISOString() ?? null,
    lastError: b.lastError,
    nextAttemptAt: b.nextAttemptAt?.toISOString() ?? null,
    enrolledAt: b.enrolledAt?.toISOString() ?? null,
    createdAt: b.createdAt.toISOString(),
  };
}
