import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { OfficialDirectory, OfficialRecord } from '@pakawaaz/core-network';
import { OFFICIAL_DIRECTORY } from '@pakawaaz/identity';
import { inScope, type Principal } from '@pakawaaz/platform';
import { deviceMgmtError } from '../device-mgmt.errors.js';

/**
 * The people handsets are enrolled for, through identity's directory (identity runs on every node; looked up
 * on first use, as the kernel's rollout gate finds identity's institution phases).
 */
@Injectable()
export class Officials {
  private directory: OfficialDirectory | null | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  private port(): OfficialDirectory | null {
    if (this.directory === undefined) {
      try {
        this.directory = this.moduleRef.get<OfficialDirectory>(OFFICIAL_DIRECTORY, { strict: false });
      } catch {
        this.directory = null;
      }
    }
    return this.directory;
  }

  /** The active official `ref` (username or id) names, in the caller's scope (others read as absent). */
  async enrollable(ref: string, caller: Pick<Principal, 'scope'>): Promise<OfficialRecord> {
    const directory = this.port();
    if (!directory)
      throw deviceMgmtError('official_directory_unavailable', 'Identity does not answer on this node.');
    const official = await directory.find(ref.trim());
    if (!official || !inScope(caller, official.institutionId))
      throw deviceMgmtError(
        'official_not_found',
        // The reference is not echoed: the reply is the same whether the user is unknown or someone else's.
        'No such official in your scope: give the username or user id of an active official (pakawaaz users list --search …).',
      );
    if (official.kind !== 'official')
      throw deviceMgmtError(
        'not_an_official',
        `${official.username} is a NOC operator: handsets are enrolled for officials only.`,
      );
    if (official.status !== 'active')
      throw deviceMgmtError(
        'official_disabled',
        `${official.displayName} (${official.username}) is disabled: enable the account first.`,
      );
    return official;
  }

  /** The current facts of these users (unknown ids absent), for lists. */
  async describe(userIds: readonly string[]): Promise<Map<string, OfficialRecord>> {
    const directory = this.port();
    if (!directory || !userIds.length) return new Map();
    return directory.byIds([...new Set(userIds)]);
  }

  async find(ref: string): Promise<OfficialRecord | null> {
    return (await this.port()?.find(ref)) ?? null;
  }
}
