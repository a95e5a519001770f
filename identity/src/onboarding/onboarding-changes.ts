import { Injectable } from '@nestjs/common';
import { UserChanges } from '../users/user-changes.js';
import { UserDisabled, UserUpdated, userFacts } from '../users/users.events.js';
import { UsersRepository } from '../users/users.repository.js';
import type { ProfileField } from './onboarding-plan.js';

/**
 * Tells the other domains what an import or a directory sync changed, after its transaction committed — the
 * same events as the users API sends (core-network keeps officials' names and institutions on subscribers).
 * Created officials need no event: nothing elsewhere knows them until a SIM or a device is assigned.
 */
@Injectable()
export class OnboardingChanges {
  constructor(
    private readonly users: UsersRepository,
    private readonly changes: UserChanges,
  ) {}

  async updated(
    steps: readonly { action: string; userId?: string; changes?: Partial<Record<ProfileField, unknown>> }[],
  ): Promise<void> {
    const updates = steps.flatMap((s) =>
      s.action === 'update' && s.userId
        ? [{ id: s.userId, changed: Object.keys(s.changes ?? {}) as ProfileField[] }]
        : [],
    );
    if (!updates.length) return;
    const rows = new Map((await this.users.findByIds(updates.map((u) => u.id))).map((r) => [r.id, r]));
    for (const u of updates) {
      const row = rows.get(u.id);
      if (row) await this.changes.publish(UserUpdated.create({ ...userFacts(row), changed: u.changed }));
    }
  }

  async disabled(userIds: readonly string[], reason: string): Promise<void> {
    for (const row of await this.users.findByIds(userIds))
      await this.changes.publish(UserDisabled.create({ ...userFacts(row), reason }));
  }
}
