import { Injectable } from '@nestjs/common';
import { inScope, type Principal } from '@pakawaaz/platform';
import { coreNetworkError } from '../core-network.errors.js';
import type {
  OfficialDirectory,
  OfficialDirectoryBinding,
  OfficialRecord,
} from './official-directory.port.js';

export const officialNotFound = (ref: string) =>
  coreNetworkError(
    'official_not_found',
    `No user "${ref.slice(0, 64)}": give an existing username or user id (pakawaaz users list --search …).`,
  );

/**
 * The people SIMs are assigned to, through identity's OfficialDirectory (bound by identity, which the server
 * wires on every node). Unbound — identity absent — nobody can be assigned (503) and lists show no usernames.
 */
@Injectable()
export class Officials implements OfficialDirectoryBinding {
  private directory: OfficialDirectory | undefined;

  bind(directory: OfficialDirectory): void {
    this.directory = directory;
  }

  /**
   * The active user `ref` (username or id) names, in the caller's scope: a user of another institution
   * reads as absent (an institution's principal learns nothing of other institutions' people).
   */
  async assignable(ref: string, caller: Pick<Principal, 'scope'>): Promise<OfficialRecord> {
    if (!this.directory)
      throw coreNetworkError(
        'official_directory_unavailable',
        'Identity does not answer on this node: SIMs cannot be assigned here. Try another node.',
      );
    const official = await this.directory.find(ref.trim());
    if (!official || !inScope(caller, official.institutionId)) throw officialNotFound(ref);
    // A SIM is an official's: an operator's account never gets one (it would sign in over RADIUS and HTTPS
    // with it, and a SIM proof re-opens a closed password step).
    if (official.kind !== 'official')
      throw coreNetworkError(
        'not_an_official',
        `${official.username} is a NOC operator: SIMs are assigned to officials only.`,
      );
    if (official.status !== 'active')
      throw coreNetworkError(
        'official_disabled',
        `${official.displayName} (${official.username}) is disabled: enable the account first, or choose someone else.`,
      );
    return official;
  }

  /** Current names of these users (missing: unknown to identity, or identity not on this node). */
  async describe(userIds: readonly string[]): Promise<Map<string, OfficialRecord>> {
    if (!this.directory || !userIds.length) return new Map();
    return this.directory.byIds([...new Set(userIds)]);
  }
}
