import { Injectable } from '@nestjs/common';
import {
  AuditService,
  requireInScope,
  requireRole,
  scopeCondition,
  scopeIds,
  type Principal,
} from '@pakawaaz/platform';
import { and, eq } from 'drizzle-orm';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { Officials } from '../enrolment/officials.js';
import { PoliciesService, type GroupRef, type PolicyChange } from '../policies/policies.service.js';
import { groupScope } from '../policies/policy-settings.js';
import { deviceGroups } from './device-groups.schema.js';
import {
  DeviceGroupsRepository,
  isNameTaken,
  type GroupRow,
  type MemberRow,
} from './device-groups.repository.js';

export type GroupMembersChange = { devices?: string[] | undefined; officials?: string[] | undefined };

const notFound = () => deviceMgmtError('device_group_not_found', 'No such device group.');
const deviceNotFound = () => deviceMgmtError('device_not_found', 'No such device.');
const officialNotFound = () =>
  deviceMgmtError(
    'official_not_found',
    'No such official in this group’s institution: give the username or user id of an official whose handset it is.',
  );

const groupView = (g: GroupRow, members: number) => ({
  id: g.id,
  institutionId: g.institutionId,
  name: g.name,
  members,
  createdAt: g.createdAt,
  updatedAt: g.updatedAt,
});

/**
 * Device groups within an institution: named sets of its handsets, a device in at most one, each group with an
 * optional policy of its own (PoliciesService; it replaces the institution's for the members, raised to the
 * national floors). Members are picked by device id or by the official's username.
 */
@Injectable()
export class DeviceGroupsService {
  constructor(
    private readonly repo: DeviceGroupsRepository,
    private readonly policies: PoliciesService,
    private readonly officials: Officials,
    private readonly audit: AuditService,
  ) {}

  async list(by: Principal, institutionId?: string) {
    requireRole(by, 'device-admin', 'viewer');
    const rows = await this.repo.list(
      and(
        scopeCondition(by, deviceGroups.institutionId),
        institutionId ? eq(deviceGroups.institutionId, institutionId) : undefined,
      ),
    );
    return { groups: rows.map((r) => groupView(r, r.members)) };
  }

  async show(id: string, by: Principal) {
    requireRole(by, 'device-admin', 'viewer');
    const g = await this.visible(id, by);
    const members = await this.repo.members(g.id);
    const names = await this.officials.describe(members.map((m) => m.userId));
    const policy = await this.policies.getForGroup(this.ref(g), by);
    return {
      ...groupView(g, members.length),
      policy: { source: policy.source, version: policy.version },
      devices: members.map((m) => ({
        id: m.id,
        official: { id: m.userId, username: names.get(m.userId)?.username ?? null },
        model: m.model,
        imei: m.imei,
        state: m.state,
        compliance: m.compliance,
      })),
    };
  }

  async create(by: Principal, body: { name: string; institutionId?: string | undefined }, requestId: string) {
    requireRole(by, 'device-admin');
    const institutionId = body.institutionId ?? scopeIds(by)?.[0];
    if (!institutionId)
      throw deviceMgmtError(
        'device_group_institution_required',
        'Name the institution the group belongs to (institutionId): a national principal has none of its own.',
      );
    requireInScope(by, institutionId);
    const name = body.name.trim();
    const created = this.repo.transaction(async (tx) => {
      if (await this.repo.byName(institutionId, name, tx)) throw nameTaken(name);
      const g = await this.repo.insert(institutionId, name, tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.group.created',
          target: `device-group:${g.id}`,
          details: { institutionId, name },
          requestId,
        },
        tx,
      );
      return groupView(g, 0);
    });
    return created.catch((err: unknown) => {
      throw isNameTaken(err) ? nameTaken(name) : err;
    });
  }

  async rename(id: string, name: string, by: Principal, requestId: string) {
    requireRole(by, 'device-admin');
    const g = await this.visible(id, by);
    const trimmed = name.trim();
    const renamed = this.repo.transaction(async (tx) => {
      const other = await this.repo.byName(g.institutionId, trimmed, tx);
      if (other && other.id !== g.id) throw nameTaken(trimmed);
      const row = (await this.repo.rename(g.id, trimmed, tx)) ?? g;
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.group.renamed',
          target: `device-group:${g.id}`,
          details: { from: g.name, to: trimmed },
          requestId,
        },
        tx,
      );
      return groupView(row, (await this.repo.members(g.id, tx)).length);
    });
    return renamed.catch((err: unknown) => {
      throw isNameTaken(err) ? nameTaken(trimmed) : err;
    });
  }

  /** The members leave the group (they follow the institution's policy again at their next check-in). */
  async delete(id: string, by: Principal, requestId: string) {
    requireRole(by, 'device-admin');
    const g = await this.visible(id, by);
    return this.repo.transaction(async (tx) => {
      const released = await this.repo.delete(g.id, tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.group.deleted',
          target: `device-group:${g.id}`,
          details: { name: g.name, released },
          requestId,
        },
        tx,
      );
      return { id: g.id, deleted: true as const, released };
    });
  }

  /**
   * Adds handsets (by device id, or every live handset of an official named by username or id) of the group's
   * institution; a handset in another group moves to this one. All or nothing: one unknown name refuses all.
   */
  async addMembers(id: string, change: GroupMembersChange, by: Principal, requestId: string) {
    requireRole(by, 'device-admin');
    const g = await this.visible(id, by);
    const userIds: string[] = [];
    for (const ref of change.officials ?? []) {
      const official = await this.officials.find(ref.trim());
      if (!official || official.institutionId !== g.institutionId) throw officialNotFound();
      userIds.push(official.userId);
    }
    await this.repo.transaction(async (tx) => {
      const byId = await this.repo.devicesByIds(change.devices ?? [], tx);
      for (const deviceId of change.devices ?? [])
        if (!byId.some((d) => d.id === deviceId && d.institutionId === g.institutionId))
          throw deviceNotFound();
      const picked = new Map<string, MemberRow>(
        [...byId, ...(await this.repo.devicesOfUsers(userIds, tx))].map((d) => [d.id, d]),
      );
      const joining = [...picked.values()].filter((d) => d.institutionId === g.institutionId);
      await this.repo.setGroup(
        joining.map((d) => d.id),
        g.id,
        tx,
      );
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.group.members-added',
          target: `device-group:${g.id}`,
          details: {
            devices: joining.map((d) => d.id),
            movedFrom: [
              ...new Set(joining.flatMap((d) => (d.groupId && d.groupId !== g.id ? [d.groupId] : []))),
            ],
          },
          requestId,
        },
        tx,
      );
    });
    return this.show(g.id, by);
  }

  async removeMember(id: string, deviceId: string, by: Principal, requestId: string) {
    requireRole(by, 'device-admin');
    const g = await this.visible(id, by);
    await this.repo.transaction(async (tx) => {
      const [d] = await this.repo.devicesByIds([deviceId], tx);
      if (!d || d.groupId !== g.id) throw deviceNotFound();
      await this.repo.setGroup([deviceId], null, tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.group.member-removed',
          target: `device-group:${g.id}`,
          details: { device: deviceId },
          requestId,
        },
        tx,
      );
    });
    return this.show(g.id, by);
  }

  async getPolicy(id: string, by: Principal) {
    requireRole(by, 'device-admin', 'viewer');
    return this.policies.getForGroup(this.ref(await this.visible(id, by)), by);
  }

  async putPolicy(id: string, change: PolicyChange, by: Principal, requestId: string) {
    requireRole(by, 'device-admin');
    return this.policies.putForGroup(this.ref(await this.visible(id, by)), change, by, requestId);
  }

  private ref(g: GroupRow): GroupRef {
    return { id: g.id, institutionId: g.institutionId, scope: groupScope(g.id), notFound };
  }

  private async visible(id: string, by: Principal): Promise<GroupRow> {
    const g = await this.repo.byId(id);
    if (!g) throw notFound();
    requireInScope(by, g.institutionId, notFound);
    return g;
  }
}

const nameTaken = (name: string) =>
  deviceMgmtError(
    'device_group_name_taken',
    `The institution already has a device group named “${name}”: pick another name or use that group.`,
  );
