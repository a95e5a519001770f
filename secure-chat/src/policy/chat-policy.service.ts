import { Inject, Injectable } from '@nestjs/common';
import { AuditService, requireInScope, requireNational, scopeIds, type Principal } from '@pakawaaz/platform';
import type { z } from 'zod';
import { SECURE_CHAT_CONFIG, type SecureChatConfig } from '../secure-chat.config.js';
import { secureChatError } from '../secure-chat.errors.js';
import { DEFAULT_CHAT_POLICY, type ChatPolicyRules } from './chat-policy-rules.js';
import type {
  ChatPolicyView,
  HeldMetadataPage,
  HeldMetadataQuery,
  PutChatPolicyRequest,
} from './chat-policy.dto.js';
import { ChatPolicyRepository, type PolicyRow } from './chat-policy.repository.js';

type View = z.infer<typeof ChatPolicyView>;
const notFound = () =>
  secureChatError('chat_policy_not_found', 'No chat policy of this institution that you may read.');
const actorName = (by: Principal) => by.name;

/**
 * Per-institution chat policies and legal holds, as operators see and change them. National administrators
 * set any institution's policy and holds; an institution's principals read their own policy only. Every change
 * and every read of held metadata is audited.
 */
@Injectable()
export class ChatPolicyService {
  constructor(
    private readonly repo: ChatPolicyRepository,
    private readonly audit: AuditService,
    @Inject(SECURE_CHAT_CONFIG) private readonly config: Pick<SecureChatConfig, 'retentionDays'>,
  ) {}

  /** The rules of an institution without a stored policy (the retention is the configured default). */
  private get defaults() {
    return { ...DEFAULT_CHAT_POLICY, allowedInstitutions: [], retentionDays: this.config.retentionDays };
  }

  /** National: every stored policy; an institution's principal: its institutions' (defaults where none). */
  async list(by: Principal): Promise<{ policies: View[] }> {
    const ids = scopeIds(by);
    const rows = await this.repo.policies(ids);
    if (ids === null) return { policies: rows.map((r) => viewOf(r, this.defaults)) };
    return {
      policies: ids.map((id) =>
        withoutHold(viewOf(rows.find((r) => r.institutionId === id) ?? id, this.defaults)),
      ),
    };
  }

  /** An institution's own principal never learns of a legal hold on it (nor who set it, nor why). */
  async get(institutionId: string, by: Principal): Promise<View> {
    requireInScope(by, institutionId, notFound);
    const [row] = await this.repo.policies([institutionId]);
    const view = viewOf(row ?? institutionId, this.defaults);
    return scopeIds(by) === null ? view : withoutHold(view);
  }

  async put(
    institutionId: string,
    change: z.output<typeof PutChatPolicyRequest>,
    by: Principal,
    requestId: string | null,
  ): Promise<View> {
    requireNational(by);
    const allowed = [...new Set(change.allowedInstitutions)].sort();
    if (change.crossInstitution === 'allow-list' && allowed.length === 0)
      throw secureChatError(
        'invalid_chat_input',
        'allowedInstitutions: an allow-list names at least one institution (own-institution allows none).',
      );
    const policy = {
      crossInstitution: change.crossInstitution,
      allowedInstitutions: change.crossInstitution === 'allow-list' ? allowed : [],
      retentionDays: change.retentionDays,
    };
    return this.change(institutionId, by, requestId, 'secure-chat.policy.changed', policy, (before) => ({
      ...policy,
      updatedBy: actorName(by),
      updatedAt: new Date(),
      holdReason: before?.holdReason ?? null,
      holdSetBy: before?.holdSetBy ?? null,
      holdSince: before?.holdSince ?? null,
    }));
  }

  /** Puts the institution on legal hold (a new reason replaces the old one; `since` stays). */
  async setHold(institutionId: string, reason: string, by: Principal, requestId: string | null) {
    requireNational(by);
    return this.change(institutionId, by, requestId, 'secure-chat.hold.set', { reason }, (before) => ({
      ...keptPolicy(before, this.defaults),
      holdReason: reason,
      holdSetBy: actorName(by),
      holdSince: before?.holdSince ?? new Date(),
    }));
  }

  /** Lifts the hold: the sweep then deletes the metadata kept under it. */
  async releaseHold(institutionId: string, by: Principal, requestId: string | null) {
    requireNational(by);
    return this.change(institutionId, by, requestId, 'secure-chat.hold.released', {}, (before) => ({
      ...keptPolicy(before, this.defaults),
      holdReason: null,
      holdSetBy: null,
      holdSince: null,
    }));
  }

  /** Held metadata of one institution, newest first (national; every read is audited). */
  async heldMetadata(
    q: z.output<typeof HeldMetadataQuery>,
    by: Principal,
    requestId: string | null,
  ): Promise<z.infer<typeof HeldMetadataPage>> {
    requireNational(by);
    const rows = await this.repo.held({
      institutionId: q.institution,
      limit: q.limit,
      ...(q.beforeId !== undefined ? { beforeId: q.beforeId } : {}),
      ...(q.from ? { from: new Date(q.from) } : {}),
      ...(q.to ? { to: new Date(q.to) } : {}),
    });
    await this.audit.record({
      actor: by.actor,
      action: 'secure-chat.hold.metadata-read',
      target: `institution:${q.institution}`,
      details: { count: rows.length, from: q.from ?? null, to: q.to ?? null, beforeId: q.beforeId ?? null },
      requestId,
    });
    return {
      entries: rows.map((r) => ({
        id: r.id,
        senderDevice: r.senderDevice,
        senderUser: r.senderUser,
        groupId: r.groupId,
        kind: r.kind,
        sizeBytes: r.sizeBytes,
        recipients: r.recipients,
        at: r.at.toISOString(),
      })),
      nextBeforeId: rows.length === q.limit ? rows[rows.length - 1]!.id : null,
    };
  }

  private change(
    institutionId: string,
    by: Principal,
    requestId: string | null,
    action: string,
    details: Record<string, unknown>,
    next: (before: PolicyRow | null) => Omit<PolicyRow, 'institutionId'>,
  ): Promise<View> {
    return this.repo.db.transaction(async (tx) => {
      const before = await this.repo.lock(institutionId, tx);
      const row = await this.repo.upsert({ institutionId, ...next(before) }, tx);
      await this.audit.record(
        { actor: by.actor, action, target: `institution:${institutionId}`, details, requestId },
        tx,
      );
      return viewOf(row, this.defaults);
    });
  }
}

/** The policy part of a row (the defaults when there is none), for a hold change that keeps it. */
function keptPolicy(before: PolicyRow | null, defaults: Defaults) {
  return {
    crossInstitution: before?.crossInstitution ?? defaults.crossInstitution,
    allowedInstitutions: before?.allowedInstitutions ?? [],
    retentionDays: before?.retentionDays ?? defaults.retentionDays,
    updatedBy: before?.updatedBy ?? null,
    updatedAt: before?.updatedAt ?? new Date(),
  };
}

type Defaults = ChatPolicyRules & { allowedInstitutions: string[] };

function viewOf(row: PolicyRow | string, defaults: Defaults): View {
  if (typeof row === 'string')
    return {
      institutionId: row,
      source: 'default',
      ...defaults,
      updatedBy: null,
      updatedAt: null,
      hold: null,
    };
  return {
    institutionId: row.institutionId,
    source: 'institution',
    crossInstitution: row.crossInstitution,
    allowedInstitutions: row.allowedInstitutions,
    retentionDays: row.retentionDays,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt.toISOString(),
    hold:
      row.holdSince && row.holdReason
        ? { reason: row.holdReason, setBy: row.holdSetBy, since: row.holdSince.toISOString() }
        : null,
  };
}

/** A policy as an institution's principal sees it: a legal hold is the national investigators' business. */
function withoutHold(view: View): View {
  return { ...view, hold: null };
}
