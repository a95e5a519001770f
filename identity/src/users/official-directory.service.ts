import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  OFFICIAL_DIRECTORY_BINDING,
  type OfficialDirectory,
  type OfficialDirectoryBinding,
  type OfficialRecord,
} from '@pakawaaz/core-network';
import { InstitutionsRepository } from '../directory/institutions.repository.js';
import { UsersRepository, type UserRow } from './users.repository.js';

/**
 * The same directory for domains above identity (device management's enrolment tokens), which look it up by
 * this token (`ModuleRef.get(OFFICIAL_DIRECTORY, { strict: false })`): identity runs on every node.
 */
export const OFFICIAL_DIRECTORY = Symbol.for('pakawaaz.identity.OfficialDirectory');

/**
 * Core-network's OfficialDirectory port: who a SIM may be assigned to, and the names lists show. Read-only
 * facts (no credentials); the caller applies its own scope rules. Binds itself when core-network runs here.
 */
@Injectable()
export class OfficialDirectoryService implements OfficialDirectory {
  constructor(
    private readonly users: UsersRepository,
    private readonly institutions: InstitutionsRepository,
    @Optional() @Inject(OFFICIAL_DIRECTORY_BINDING) binding?: OfficialDirectoryBinding,
  ) {
    binding?.bind(this);
  }

  async find(ref: string): Promise<OfficialRecord | null> {
    if (!ref || ref.length > 128) return null;
    const row = (await this.users.findById(ref)) ?? (await this.users.findByUsername(ref));
    if (!row) return null;
    return (await this.records([row])).get(row.id) ?? null;
  }

  async byIds(ids: readonly string[]): Promise<Map<string, OfficialRecord>> {
    return this.records(await this.users.findByIds(ids));
  }

  private async records(rows: UserRow[]): Promise<Map<string, OfficialRecord>> {
    const names = await this.institutions.names(
      rows.flatMap((r) => (r.institutionId ? [r.institutionId] : [])),
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          userId: r.id,
          username: r.username,
          displayName: r.displayName,
          kind: r.kind,
          status: r.status,
          institutionId: r.institutionId,
          institutionName: r.institutionId ? (names.get(r.institutionId) ?? null) : null,
        },
      ]),
    );
  }
}
