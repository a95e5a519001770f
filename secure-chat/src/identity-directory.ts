import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { OFFICIAL_DIRECTORY, OFFICIAL_VISIBILITY, type OfficialVisibility } from '@pakawaaz/identity';
import type { ChatDirectory, ChatOfficial } from './chat-ports.js';
import { secureChatError } from './secure-chat.errors.js';

/** What chat reads of identity's official directory (structural: core-network owns the port's type). */
type OfficialLookup = {
  find(ref: string): Promise<{ userId: string; status: string; institutionId: string | null } | null>;
};

/**
 * CHAT_DIRECTORY through identity's public face (identity runs on every node; looked up on first use, as
 * device management's enrolment finds the directory).
 */
@Injectable()
export class IdentityChatDirectory implements ChatDirectory {
  private ports: { directory: OfficialLookup; visibility: OfficialVisibility } | null | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  private resolve() {
    if (this.ports === undefined) {
      try {
        this.ports = {
          directory: this.moduleRef.get<OfficialLookup>(OFFICIAL_DIRECTORY, { strict: false }),
          visibility: this.moduleRef.get<OfficialVisibility>(OFFICIAL_VISIBILITY, { strict: false }),
        };
      } catch {
        this.ports = null;
      }
    }
    if (!this.ports)
      throw secureChatError(
        'directory_unavailable',
        'Identity does not answer on this node: try again later.',
      );
    return this.ports;
  }

  async find(ref: string): Promise<ChatOfficial | null> {
    const o = await this.resolve().directory.find(ref.trim());
    if (!o) return null;
    return { userId: o.userId, institutionId: o.institutionId, active: o.status === 'active' };
  }

  maySee(viewerInstitutionId: string | null, targetInstitutionId: string | null): Promise<boolean> {
    return this.resolve().visibility.maySee(viewerInstitutionId, targetInstitutionId);
  }
}
