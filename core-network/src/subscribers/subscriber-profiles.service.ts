import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditService, requireNational, requireRole, type Db, type Principal } from '@pakawaaz/platform';
import type { z } from 'zod';
import { coreNetworkError } from '../core-network.errors.js';
import { NetworkSpecRepository } from '../network-spec/network-spec.repository.js';
import { checkProfile, runningSpec } from './profile-checks.js';
import { strandedAddresses, strandedLines } from './static-address.js';
import { DEFAULT_PROFILE, DEFAULT_PROFILE_NAME, SubscriberProfile } from './profile.js';
import type { ProfileTemplateList } from './subscriber-profiles.dto.js';
import { ProfileName } from './subscribers.dto.js';
import { SubscribersRepository } from './subscribers.repository.js';

type Ctx = { principal: Principal; requestId: string | null };

/**
 * Subscriber profile templates (AMBR, slices, DNNs, QoS): national network configuration. A profile in use
 * cannot be deleted, and saving one re-pushes every subscriber that uses it.
 */
@Injectable()
export class SubscriberProfilesService implements OnApplicationBootstrap {
  constructor(
    private readonly repo: SubscribersRepository,
    private readonly audit: AuditService,
    private readonly specs: NetworkSpecRepository,
  ) {}

  /** The `default` profile always exists, so a SIM can be assigned without naming one. */
  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.repo.profile(DEFAULT_PROFILE_NAME))) {
      await this.repo.upsertProfile(
        this.repo.db,
        DEFAULT_PROFILE_NAME,
        'One eMBB slice (SST 1), DNN internet, 1 Gbps',
        DEFAULT_PROFILE,
      );
    }
  }

  async list(caller: Principal): Promise<z.infer<typeof ProfileTemplateList>> {
    requireNational(caller);
    requireRole(caller, 'viewer', 'sim-operator', 'network-admin');
    return {
      profiles: (await this.repo.profiles()).map((t) => ({
        name: t.name,
        description: t.description,
        profile: SubscriberProfile.parse(t.profile),
        updatedAt: t.updatedAt.toISOString(),
      })),
    };
  }

  async save(name: string, description: string, profile: unknown, ctx: Ctx): Promise<void> {
    requireNational(ctx.principal);
    requireRole(ctx.principal, 'network-admin');
    if (!ProfileName.safeParse(name).success)
      throw coreNetworkError('invalid_profile', 'Profile names are lower-case letters, digits and dashes.');
    await this.repo.db.transaction(async (tx: Db) => {
      // The spec lock orders this save with a concurrent `network apply`: each sees the other's result, so a
      // spec that drops a DNN and a profile that starts granting it cannot both pass.
      await this.specs.lockVersions(tx);
      // Every problem at once: format, rules, and what the running network spec does not offer.
      const running = runningSpec((await this.specs.current(tx))?.spec);
      const parsed = checkProfile(profile, running);
      if (!parsed.ok)
        throw coreNetworkError(
          'invalid_profile',
          parsed.errors.map((i) => `${i.path}: ${i.message}`).join('; '),
          { errors: parsed.errors },
        );
      if (running) {
        const users = await this.repo.withStaticAddresses(tx, name);
        const stranded = strandedAddresses(
          users.map((u) => ({ ...u, profile: parsed.profile })),
          running,
        );
        if (stranded.length > 0)
          throw coreNetworkError(
            'profile_strands_static_addresses',
            `This change moves the static address of ${stranded.length} subscriber(s) off their DNN's static block: change their addresses first, or keep the default DNN:\n${strandedLines(stranded)}`,
            { subscribers: stranded },
          );
      }
      await this.repo.upsertProfile(tx, name, description, parsed.profile);
      await this.repo.bumpProfileUsers(tx, name);
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'core-network.subscriber-profile.saved',
          target: `profile:${name}`,
          details: { description },
          requestId: ctx.requestId,
        },
        tx,
      );
    });
  }

  async remove(name: string, ctx: Ctx): Promise<void> {
    requireNational(ctx.principal);
    requireRole(ctx.principal, 'network-admin');
    if (!ProfileName.safeParse(name).success)
      throw coreNetworkError('profile_not_found', `No subscriber profile named "${name.slice(0, 64)}".`);
    await this.repo.db.transaction(async (tx) => {
      if (name === DEFAULT_PROFILE_NAME)
        throw coreNetworkError('profile_in_use', 'The default profile cannot be deleted.');
      const users = await this.repo.countUsing(tx, name);
      if (users > 0) throw coreNetworkError('profile_in_use', `${users} subscriber(s) use this profile.`);
      if (!(await this.repo.deleteProfile(tx, name)))
        throw coreNetworkError('profile_not_found', `No subscriber profile named "${name}".`);
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'core-network.subscriber-profile.deleted',
          target: `profile:${name}`,
          requestId: ctx.requestId,
        },
        tx,
      );
    });
  }
}
