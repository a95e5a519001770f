import { Injectable } from '@nestjs/common';
import type { Db } from '@pakawaaz/platform';
import type { ChatDirectory, ChatOfficial } from '../chat-ports.js';
import { IdentityChatDirectory } from '../identity-directory.js';
import { BotsRepository } from './bots.repository.js';

const BOT_REF = /^bot:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Whom a device may add to a group (or claim KeyPackages of): an official it may see, or a bot of its own institution. */
export type MemberReach = {
  /** `tx`: the caller's transaction, when it holds one (the embedded database has a single connection). */
  mayReach(
    viewerInstitutionId: string | null,
    target: { userId: string; institutionId: string | null },
    tx?: Db,
  ): Promise<boolean>;
};

/**
 * CHAT_DIRECTORY with bots: `bot:<id>` names an active bot (its `userId` is its id, which is also its device
 * id), and a bot is in the directory of its own institution only — whatever identity's visibility between
 * institutions says, and never for a national official (no institution).
 */
@Injectable()
export class BotAwareDirectory implements ChatDirectory, MemberReach {
  constructor(
    private readonly identity: IdentityChatDirectory,
    private readonly bots: BotsRepository,
  ) {}

  async find(ref: string): Promise<ChatOfficial | null> {
    const bot = BOT_REF.exec(ref.trim());
    if (!bot) return this.identity.find(ref);
    const row = await this.bots.byId(bot[1]!.toLowerCase());
    return row && { userId: row.id, institutionId: row.institutionId, active: row.state === 'active' };
  }

  maySee(viewerInstitutionId: string | null, targetInstitutionId: string | null): Promise<boolean> {
    return this.identity.maySee(viewerInstitutionId, targetInstitutionId);
  }

  async mayReach(
    viewerInstitutionId: string | null,
    target: { userId: string; institutionId: string | null },
    tx?: Db,
  ): Promise<boolean> {
    const bot = await this.bots.byId(target.userId, tx);
    if (bot) return bot.state === 'active' && viewerInstitutionId === bot.institutionId;
    return this.maySee(viewerInstitutionId, target.institutionId);
  }
}

/** The seam GroupsService and KeyPackagesService call: bot-aware when the bound directory is. */
export function mayReach(
  directory: ChatDirectory,
  viewerInstitutionId: string | null,
  target: { userId: string; institutionId: string | null },
  tx?: Db,
): Promise<boolean> {
  return 'mayReach' in directory
    ? (directory as ChatDirectory & MemberReach).mayReach(viewerInstitutionId, target, tx)
    : directory.maySee(viewerInstitutionId, target.institutionId);
}
