import { Inject, Injectable } from '@nestjs/common';
import { AuditService, requireNational, requireRole, isUuid } from '@pakawaaz/platform';
import type { SecretBox } from '../crypto/secret-box.js';
import { InstitutionsRepository } from '../directory/institutions.repository.js';
import { identityError } from '../identity.errors.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import type { Ctx } from '../users/access.js';
import { UsersRepository } from '../users/users.repository.js';
import { DirectorySyncRepository, type DirectorySyncRow } from './directory-sync.repository.js';
import { entryFilter, syncScope } from './ldap-mapping.js';
import { DirectoryReadError, readDirectory } from './ldap-source.js';

export type DirectoryLinkView = { sync: string; userId: string; username: string; dn: string };

/**
 * The explicit link of an existing official to a directory sync: a sync never adopts an official it did not
 * create, so an official who predates it is linked by a security officer — after checking that the official
 * is within the sync's institution (when it has one), belongs to no other sync, and has an entry in the
 * directory under the sync's base and filter. From the next run on, the sync updates and disables them.
 */
@Injectable()
export class DirectoryLinksService {
  constructor(
    private readonly repo: DirectorySyncRepository,
    private readonly users: UsersRepository,
    private readonly institutions: InstitutionsRepository,
    private readonly audit: AuditService,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  async link(syncRef: string, userRef: string, ctx: Ctx): Promise<DirectoryLinkView> {
    requireNational(ctx.principal);
    requireRole(ctx.principal, 'security-officer');
    const sync = await this.repo.find(syncRef);
    if (!sync) throw identityError('directory_sync_not_found', 'No directory sync with this id or name.');
    const user = isUuid(userRef)
      ? await this.users.findById(userRef)
      : await this.users.findByUsername(userRef.trim().toLowerCase());
    if (!user) throw identityError('user_not_found', `No user "${userRef}".`);
    if (user.kind !== 'official')
      throw identityError(
        'directory_sync_invalid',
        `${user.username} is an operator: a directory syncs officials.`,
      );
    const scope = syncScope(sync.institution, await this.institutions.all());
    if (scope !== null && 'reason' in scope) throw identityError('directory_sync_invalid', scope.reason);
    if (scope !== null && !scope.includes(user.institutionId ?? ''))
      throw identityError(
        'directory_sync_invalid',
        `${user.username} is not in ${sync.institution}, the institution of this sync, or its departments.`,
      );
    const existing = await this.repo.linkOf(user.id);
    if (existing)
      throw identityError(
        'directory_link_exists',
        existing.syncId === sync.id
          ? `${user.username} is linked to ${sync.name} already.`
          : `${user.username} is managed by the directory sync ${existing.syncName}.`,
      );
    const dn = await this.findEntry(sync, user.username);
    await this.repo.db.transaction(async (tx) => {
      // The check above ran before the directory round trip: the unique index decides a race.
      if (!(await this.repo.linkOne(tx, sync.id, user.id, dn)))
        throw identityError(
          'directory_link_exists',
          `${user.username} was linked by someone else meanwhile.`,
        );
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'identity.directory-sync.linked',
          target: `user:${user.id}`,
          details: { sync: sync.name, username: user.username, dn },
          requestId: ctx.requestId,
        },
        tx,
      );
    });
    return { sync: sync.name, userId: user.id, username: user.username, dn };
  }

  /** The DN of the official's entry: exactly one under the sync's base and filter, else a 4xx saying why. */
  private async findEntry(sync: DirectorySyncRow, username: string): Promise<string> {
    let entries;
    try {
      entries = await readDirectory({
        url: sync.url,
        startTls: sync.startTls,
        caCertificates: sync.caCertificates ?? undefined,
        bindDn: sync.bindDn,
        bindPassword: (await this.box.open('directory-bind-password', sync.bindPasswordSealed)).toString(
          'utf8',
        ),
        baseDn: sync.baseDn,
        filter: entryFilter(sync.filter, sync.mapping.username, username),
        attributes: [sync.mapping.username],
        maxEntries: 1,
      });
    } catch (err) {
      if (!(err instanceof DirectoryReadError)) throw err;
      throw identityError(
        err.message.startsWith('the search returned more than')
          ? 'directory_sync_invalid'
          : 'directory_unreachable',
        err.message.startsWith('the search returned more than')
          ? `Several directory entries have ${sync.mapping.username}=${username}: make it unique before linking.`
          : `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`,
      );
    }
    const [entry] = entries;
    if (!entry)
      throw identityError(
        'directory_sync_invalid',
        `No entry with ${sync.mapping.username}=${username} under ${sync.baseDn} matching the sync's filter: the sync would disable them.`,
      );
    return entry.dn;
  }
}
