import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { OFFICIAL_DIRECTORY } from '@pakawaaz/identity';
import { inScope, type Principal } from '@pakawaaz/platform';
import { appStoreError } from '../app-store.errors.js';

/** What the store reads of identity's directory (structural: core-network owns the port's type). */
type UserLookup = { find(ref: string): Promise<{ userId: string; institutionId: string | null } | null> };

/** Who may be made a member of a developer organisation: a user identity knows, in the caller's scope. */
export type DeveloperDirectory = {
  /** The user's id; a 404 `user_not_found` when there is none, or the caller's scope does not hold them. */
  member(userId: string, by: Pick<Principal, 'scope'>): Promise<string>;
};

export const DEVELOPER_DIRECTORY = Symbol.for('pakawaaz.app-store.DeveloperDirectory');

/**
 * DeveloperDirectory through identity's OFFICIAL_DIRECTORY (identity runs on every node; looked up on first
 * use, as device management's enrolment and chat find it).
 */
@Injectable()
export class IdentityDeveloperDirectory implements DeveloperDirectory {
  private directory: UserLookup | null | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  async member(userId: string, by: Pick<Principal, 'scope'>): Promise<string> {
    if (this.directory === undefined) {
      try {
        this.directory = this.moduleRef.get<UserLookup>(OFFICIAL_DIRECTORY, { strict: false });
      } catch {
        this.directory = null;
      }
    }
    if (!this.directory)
      throw appStoreError(
        'user_directory_unavailable',
        'Identity does not answer on this node: try again later.',
      );
    const user = await this.directory.find(userId);
    // Unknown and someone else's read the same: whether A's official exists is not B's to learn.
    if (!user || user.userId !== userId || !inScope(by, user.institutionId))
      throw appStoreError('user_not_found', 'No user with this id in your scope.');
    return user.userId;
  }
}
