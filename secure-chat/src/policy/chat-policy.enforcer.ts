import { Injectable } from '@nestjs/common';
import type { DevicePrincipal, Db } from '@pakawaaz/platform';
import type { QueueKind } from '../delivery/delivery.schema.js';
import { secureChatError } from '../secure-chat.errors.js';
import {
  commitRefusal,
  pairRefusal,
  policyIds,
  type ChatPolicyRules,
  type PolicyRefusal,
} from './chat-policy-rules.js';
import { ChatPolicyRepository } from './chat-policy.repository.js';

export type SendMetadata = { groupId: string; kind: QueueKind; sizeBytes: number; recipients: number };

/**
 * The seam delivery uses: chat policies enforced where officials come together (a KeyPackage claim, a commit
 * that adds officials) and, under a legal hold, the metadata of each send kept. Policies are read inside the
 * caller's transaction, never cached: a change binds on every node at once.
 */
@Injectable()
export class ChatPolicyEnforcer {
  constructor(private readonly repo: ChatPolicyRepository) {}

  /** A device of `mine` claims KeyPackages of an official of `theirs`: both institutions' policies decide. */
  async requirePair(mine: string | null, theirs: string | null, tx?: Db): Promise<void> {
    if (mine === theirs) return;
    refuse(pairRefusal(await this.policies(policyIds(mine, theirs), tx), mine, theirs), mine);
  }

  /** A commit by a device of `committer` whose new tree holds `tree` and adds officials of `joining`. */
  async requireCommit(
    committer: string | null,
    tree: readonly (string | null)[],
    joining: readonly (string | null)[],
    tx: Db,
  ): Promise<void> {
    if (joining.length === 0) return;
    const policies = await this.policies(policyIds(committer, ...tree, ...joining), tx);
    refuse(commitRefusal(policies, committer, tree, joining), committer);
  }

  /** Keeps the metadata of a send by this device when its institution is on legal hold. */
  async recordSend(device: DevicePrincipal, meta: SendMetadata, tx: Db): Promise<void> {
    await this.recordSends([{ device, meta }], tx);
  }

  /**
   * recordSend for a batch of sends: each institution's hold read once, the held rows in one insert. `held`:
   * the institutions on hold among the senders', read earlier in the same transaction (see holdsRead).
   */
  async recordSends(
    sends: readonly { device: DevicePrincipal; meta: SendMetadata }[],
    tx: Db,
    held?: ReadonlySet<string>,
  ): Promise<void> {
    const institutions = senderInstitutions(sends.map((s) => s.device));
    if (institutions.length === 0) return;
    held ??= await this.repo.onHoldAmong(institutions, tx);
    const rows = sends
      .filter((s) => s.device.institutionId !== null && held.has(s.device.institutionId))
      .map(({ device, meta }) => ({
        institutionId: device.institutionId!,
        senderDevice: device.deviceId,
        senderUser: device.userId,
        ...meta,
      }));
    if (rows.length) await this.repo.recordHeld(rows, tx);
  }

  private async policies(ids: string[], tx?: Db): Promise<Map<string, ChatPolicyRules>> {
    if (ids.length === 0) return new Map();
    const rows = await this.repo.policies(ids, tx);
    return new Map(rows.map((r) => [r.institutionId, r]));
  }
}

function refuse(refusal: PolicyRefusal | null, callerInstitution: string | null): void {
  if (!refusal) return;
  const whose = refusal.refusedBy === callerInstitution ? "Your institution's" : "Another institution's";
  throw secureChatError(
    'chat_policy_forbids',
    `${whose} chat policy (institution ${refusal.refusedBy}) forbids sharing a group with officials of ${
      refusal.other === null ? 'no institution' : `institution ${refusal.other}`
    }.`,
    { institutionId: refusal.refusedBy, otherInstitutionId: refusal.other },
  );
}

/** The institutions of these devices, each once (the ids whose legal hold a batch of sends reads). */
export function senderInstitutions(devices: readonly DevicePrincipal[]): string[] {
  return [...new Set(devices.flatMap((d) => d.institutionId ?? []))];
}
