import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  AppError,
  AuditService,
  canonicalJson,
  DATABASE,
  requireInScope,
  requireNational,
  scopeIds,
  type DatabaseHandle,
  type Db,
  type Principal,
} from '@pakawaaz/platform';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { DeviceAdminService } from '../devices/device-admin.service.js';
import { PoliciesRepository, type PolicyRow } from './policies.repository.js';
import { weakerThanNational, withNationalFloors } from './policy-floors.js';
import {
  DEFAULT_POLICY_SETTINGS,
  GROUP_SCOPE_PREFIX,
  isGroupScope,
  NATIONAL,
  PolicySettingsSchema,
  type EffectivePolicy,
  type PolicyScope,
  type PolicySettings,
} from './policy-settings.js';

/** A policy as operators see it: `source` says whether the scope has its own or inherits the national one. */
export type PolicyView = {
  scope: PolicyScope;
  source: 'group' | 'institution' | 'national' | 'default';
  version: number;
  settings: PolicySettings;
  updatedBy: string | null;
  updatedAt: Date | null;
};

export type PolicyChange = { settings: PolicySettings; baseVersion?: number | undefined };

/** A device group as its policy routes need it (the caller found it; `notFound` hides it out of scope). */
export type GroupRef = { id: string; institutionId: string; scope: PolicyScope; notFound: () => AppError };

/**
 * Device policies: one national policy (the built-in default, version 0, until one is stored) and optional
 * per-institution policies that replace it for that institution's devices, and per-group policies that replace
 * the institution's for the group's devices (both raised to the national floors). Every change is a new version.
 */
@Injectable()
export class PoliciesService {
  /** Effective policies by the stored versions they come from (see atVersions). */
  private readonly versions = new Map<string, EffectivePolicy>();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly policies: PoliciesRepository,
    private readonly audit: AuditService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** National principals see every stored policy; an institution's see the national one and their own. */
  async list(by: Principal): Promise<{ policies: PolicyView[] }> {
    const ids = scopeIds(by);
    const rows = await this.policies.currentAll(ids === null ? null : [NATIONAL, ...ids]);
    const national = rows.find((r) => r.scope === NATIONAL);
    // Groups' policies are read through their group (DeviceGroupsService).
    const views = rows
      .filter((r) => r.scope !== NATIONAL && !isGroupScope(r.scope))
      .map((r) => viewOf(r, r.scope));
    return { policies: [national ? viewOf(national, NATIONAL) : defaultView(NATIONAL), ...views] };
  }

  /** The policy in force for a scope (an institution without its own shows the national one). */
  async get(scope: PolicyScope, by: Principal): Promise<PolicyView> {
    if (scope !== NATIONAL) requireInScope(by, scope, policyNotFound);
    const row = await this.policies.effective(scope === NATIONAL ? null : scope);
    return row ? viewOf(row, scope) : defaultView(scope);
  }

  /**
   * The policy a device of this institution follows (check-in, compliance): the institution's own raised to
   * the national floors. A national policy tightened since the institution stored its own binds at once, and
   * then the effective policy carries the national version (versions only grow), so handsets that applied
   * the institution's version are sent the raised settings at their next check-in.
   */
  async effective(institutionId: string | null, tx?: Db, groupId?: string | null): Promise<EffectivePolicy> {
    const row = await this.policies.effective(institutionId, tx, groupId ?? null);
    if (!row || row.scope === NATIONAL) return row ? effectiveOf(row) : DEFAULT_EFFECTIVE;
    return raisedToNational(row, await this.national(tx));
  }

  /**
   * The same answer from stored versions — what a check-in's one read found in force for its device (the
   * newest of its institution's or else the national policy, and the newest national one; null: none stored).
   * Remembered per node: a stored version never changes (a change is a new version), so nothing invalidates.
   */
  async atVersions(inForce: number | null, national: number | null): Promise<EffectivePolicy> {
    const key = `${inForce}:${national}`;
    const known = this.versions.get(key);
    if (known) return known;
    const row = inForce === null ? undefined : await this.storedVersion(inForce);
    let policy = row ? effectiveOf(row) : DEFAULT_EFFECTIVE;
    if (row && row.scope !== NATIONAL) {
      const nationalRow = national === null ? undefined : await this.storedVersion(national);
      policy = raisedToNational(row, nationalRow ? effectiveOf(nationalRow) : DEFAULT_EFFECTIVE);
    }
    if (this.versions.size >= VERSIONS_REMEMBERED) this.versions.clear();
    this.versions.set(key, policy);
    return policy;
  }

  private async storedVersion(version: number): Promise<PolicyRow> {
    const row = await this.policies.byVersion(version);
    if (!row) throw new Error(`device policy version ${version} vanished`);
    return row;
  }

  private async national(tx?: Db): Promise<EffectivePolicy> {
    const row = await this.policies.effective(null, tx);
    return row ? effectiveOf(row) : DEFAULT_EFFECTIVE;
  }

  /**
   * Stores the scope's next version. National: national principals only; an institution's: its own
   * device-admins (and national ones). With `baseVersion` (the scope's own version the change was made
   * against, 0 for none yet), 409 policy_changed when someone stored another in between.
   */
  async put(
    scope: PolicyScope,
    change: PolicyChange,
    by: Principal,
    requestId: string | null,
  ): Promise<PolicyView> {
    if (scope === NATIONAL) requireNational(by);
    else requireInScope(by, scope, policyNotFound);
    return this.store(scope, change, by, requestId);
  }

  /** The policy in force for a group's devices (its own, else its institution's, else the national one). */
  async getForGroup(group: GroupRef, by: Principal): Promise<PolicyView> {
    requireInScope(by, group.institutionId, group.notFound);
    const row = await this.policies.effective(group.institutionId, undefined, group.id);
    return row ? viewOf(row, group.scope) : defaultView(group.scope);
  }

  /** Stores a group's next version (the group's institution's device-admins and national ones). */
  async putForGroup(
    group: GroupRef,
    change: PolicyChange,
    by: Principal,
    requestId: string | null,
  ): Promise<PolicyView> {
    requireInScope(by, group.institutionId, group.notFound);
    return this.store(group.scope, change, by, requestId);
  }

  private async store(
    scope: PolicyScope,
    change: PolicyChange,
    by: Principal,
    requestId: string | null,
  ): Promise<PolicyView> {
    const view = await this.storeVersion(scope, change, by, requestId);
    if (!change.settings.allowDesktop) await this.retireForbiddenDesktops(view, by, requestId);
    return view;
  }

  /** `allowDesktop` off: enrolled desktops it now forbids are retired (revoked: chat removes their leaves). */
  private retireForbiddenDesktops(view: PolicyView, by: Principal, requestId: string | null) {
    const group = isGroupScope(view.scope) ? view.scope.slice(GROUP_SCOPE_PREFIX.length) : null;
    const where = view.scope === NATIONAL ? {} : group ? { groupId: group } : { institutionId: view.scope };
    const forbidden = async (d: { institutionId: string | null; groupId: string | null }) =>
      !(await this.effective(d.institutionId, undefined, d.groupId)).settings.allowDesktop;
    // Device administration lives in the module that imports this one: found in the application at use.
    const devices = this.moduleRef.get(DeviceAdminService, { strict: false });
    return devices.retireForbiddenDesktops(where, forbidden, view, by, requestId);
  }

  private async storeVersion(
    scope: PolicyScope,
    change: PolicyChange,
    by: Principal,
    requestId: string | null,
  ): Promise<PolicyView> {
    return this.database.db.transaction(async (tx) => {
      await this.policies.lockVersions(tx);
      const own = await this.policies.current(scope, tx);
      const ownVersion = own?.version ?? 0;
      if (change.baseVersion !== undefined && change.baseVersion !== ownVersion)
        throw deviceMgmtError(
          'policy_changed',
          `The ${scope} policy is version ${ownVersion}, not version ${change.baseVersion} that this change was made against: someone changed it in between. Read it again, then apply your change.`,
          { baseVersion: change.baseVersion, currentVersion: ownVersion },
        );
      if (scope !== NATIONAL) await this.requireNationalFloors(change.settings, tx);
      const version = (await this.policies.latestVersion(tx)) + 1;
      const row: PolicyRow = {
        version,
        scope,
        settings: change.settings,
        updatedBy: `${by.actor.type}:${by.actor.id}`,
        updatedByName: by.name,
        updatedAt: new Date(),
      };
      await this.policies.insert(row, tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.policy.changed',
          target: `device-policy:${scope}`,
          // The settings are kept whole in the policy's version row; the audit names that row and its digest
          // (a long app list would not fit the audit's 16 KiB).
          details: { version, previousVersion: ownVersion, settingsSha256: settingsDigest(change.settings) },
          requestId,
        },
        tx,
      );
      return viewOf(row, scope);
    });
  }

  /** 422 policy_below_national_floor naming every setting weaker than the national policy's. */
  private async requireNationalFloors(settings: PolicySettings, tx: Db): Promise<void> {
    const fields = weakerThanNational(settings, (await this.national(tx)).settings);
    if (fields.length > 0)
      throw deviceMgmtError(
        'policy_below_national_floor',
        `An institution's or a group's policy may be stricter than the national policy, never weaker: ${fields.join(', ')}.`,
        { fields },
      );
  }
}

const VERSIONS_REMEMBERED = 1000;
const DEFAULT_EFFECTIVE: EffectivePolicy = {
  scope: NATIONAL,
  version: 0,
  settings: DEFAULT_POLICY_SETTINGS,
  updatedAt: null,
};

function effectiveOf(row: PolicyRow): EffectivePolicy {
  return { scope: row.scope, version: row.version, settings: settingsOf(row), updatedAt: row.updatedAt };
}

/**
 * An institution's policy raised to the national floors; when that changes a setting, the result carries the
 * national version if it is newer (versions only grow), so handsets that applied the institution's version are
 * sent the raised settings.
 */
function raisedToNational(row: PolicyRow, national: EffectivePolicy): EffectivePolicy {
  const own = effectiveOf(row);
  const settings = withNationalFloors(own.settings, national.settings);
  if (canonicalJson(settings) === canonicalJson(own.settings)) return own;
  // In force since the later of the two: handsets get the usual time to apply the raised settings before
  // POLICY_NOT_APPLIED counts against them.
  const updatedAt =
    own.updatedAt && national.updatedAt && national.updatedAt > own.updatedAt
      ? national.updatedAt
      : own.updatedAt;
  return { ...own, version: Math.max(row.version, national.version), settings, updatedAt };
}

/** SHA-256 of the settings' canonical JSON (keys sorted), as the audit records them. */
function settingsDigest(settings: unknown): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex');
}

function viewOf(row: PolicyRow, scope: PolicyScope): PolicyView {
  return {
    scope,
    source: row.scope === NATIONAL ? 'national' : isGroupScope(row.scope) ? 'group' : 'institution',
    version: row.version,
    settings: settingsOf(row),
    updatedBy: row.updatedByName,
    updatedAt: row.updatedAt,
  };
}

function defaultView(scope: PolicyScope): PolicyView {
  return {
    scope,
    source: 'default',
    version: 0,
    settings: DEFAULT_POLICY_SETTINGS,
    updatedBy: null,
    updatedAt: null,
  };
}

/** Stored settings read through the schema: a setting added since the row was written gets its default. */
function settingsOf(row: PolicyRow): PolicySettings {
  return PolicySettingsSchema.parse(row.settings);
}

const policyNotFound = () => deviceMgmtError('policy_not_found', 'No such policy scope.');
