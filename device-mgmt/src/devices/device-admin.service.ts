import { Inject, Injectable } from '@nestjs/common';
import type { OfficialRecord } from '@pakawaaz/core-network';
import {
  AuditService,
  EVENT_BUS,
  LOGGER,
  requireInScope,
  requireRole,
  scopeCondition,
  type EventBus,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { DeviceCaRepository } from '../device-ca/device-ca.repository.js';
import { DeviceCaService } from '../device-ca/device-ca.service.js';
import { lostEvents } from '../compliance/compliance-recorder.js';
import { DEVICE_MGMT_CONFIG, type DeviceMgmtConfig } from '../device-mgmt.config.js';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { Officials } from '../enrolment/officials.js';
import { DeviceAdminRepository, patchLevelOf, type DeviceRow } from './device-admin.repository.js';
import { devices } from './devices.schema.js';

export type DeviceQuery = {
  q?: string | undefined;
  institution?: string | undefined;
  compliance?: DeviceRow['compliance'] | undefined;
  model?: string | undefined;
  state?: DeviceRow['state'] | undefined;
  patchLevel?: string | undefined;
  limit: number;
  offset: number;
};

export type DeviceSummary = ReturnType<typeof summary>;

function summary(d: DeviceRow, o: OfficialRecord | undefined) {
  return {
    id: d.id,
    official: { id: d.userId, username: o?.username ?? null, displayName: o?.displayName ?? null },
    institutionId: d.institutionId,
    institutionName: o?.institutionName ?? null,
    kind: d.kind,
    imei: d.imei,
    serial: d.serial,
    brand: d.brand,
    model: d.model,
    imsi: d.imsi,
    state: d.state,
    compliance: d.compliance,
    complianceReasons: d.complianceReasons,
    patchLevel: patchLevelOf(d),
    lastAttestedAt: d.lastAttestedAt,
    lastCheckInAt: d.lastCheckInAt,
    enrolledAt: d.enrolledAt,
  };
}

const notFound = () => deviceMgmtError('device_not_found', 'No such device.');

/** The NOC's view of enrolled handsets, kept to the caller's institutions; retirement revokes certificates. */
@Injectable()
export class DeviceAdminService {
  constructor(
    private readonly repo: DeviceAdminRepository,
    private readonly certificates: DeviceCaRepository,
    private readonly ca: DeviceCaService,
    private readonly officials: Officials,
    private readonly audit: AuditService,
    @Inject(DEVICE_MGMT_CONFIG) private readonly config: DeviceMgmtConfig,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(by: Principal, q: DeviceQuery) {
    requireRole(by, 'device-admin', 'viewer');
    const text = q.q?.trim();
    // A username or user id finds that official's handsets; other text matches IMEI, serial or model.
    const official = text ? await this.officials.find(text) : null;
    const page = await this.repo.page(
      {
        scope: scopeCondition(by, devices.institutionId),
        q: text ? { text, userIds: official ? [official.userId] : [] } : undefined,
        institutionId: q.institution,
        compliance: q.compliance,
        model: q.model,
        state: q.state,
        patchLevel: q.patchLevel,
      },
      q.limit,
      q.offset,
    );
    const names = await this.officials.describe(page.rows.map((r) => r.userId));
    return {
      devices: page.rows.map((r) => summary(r, names.get(r.userId))),
      total: page.total,
      limit: q.limit,
      offset: q.offset,
    };
  }

  async show(id: string, by: Principal) {
    requireRole(by, 'device-admin', 'viewer');
    const d = await this.visible(id, by);
    const [names, certs] = await Promise.all([
      this.officials.describe([d.userId]),
      this.certificates.ofDevice(d.id),
    ]);
    const now = new Date();
    return {
      ...summary(d, names.get(d.userId)),
      attestation: d.attestation,
      lastReport: d.lastReport,
      appliedPolicyVersion: d.appliedPolicyVersion,
      certificates: certs.map((c) => ({
        serial: c.serial,
        thumbprint: c.thumbprint,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        status: c.revokedAt
          ? ('revoked' as const)
          : c.notAfter < now
            ? ('expired' as const)
            : ('valid' as const),
        revokedAt: c.revokedAt,
        revocationReason: c.revocationReason,
      })),
    };
  }

  /** The fleet overview: handsets by compliance, state, patch level (newest first) and model. */
  async summary(by: Principal) {
    requireRole(by, 'device-admin', 'viewer');
    const c = await this.repo.summary(scopeCondition(by, devices.institutionId));
    const tally = <K extends string>(keys: readonly K[], rows: { key: K; n: number }[]) =>
      Object.fromEntries(keys.map((k) => [k, rows.find((r) => r.key === k)?.n ?? 0])) as Record<K, number>;
    const byCompliance = tally(['compliant', 'grace', 'non_compliant'] as const, c.byCompliance);
    return {
      total: byCompliance.compliant + byCompliance.grace + byCompliance.non_compliant,
      byCompliance,
      byState: tally(['active', 'lost', 'wiped', 'retired'] as const, c.byState),
      byPatchLevel: c.byPatch
        .map((r) => ({ patchLevel: r.key, count: r.n }))
        .sort((a, b) => (b.patchLevel ?? '').localeCompare(a.patchLevel ?? '')),
      byModel: c.byModel.map((r) => ({ model: r.key, count: r.n })).sort((a, b) => b.count - a.count),
      // Institution operators cannot read the system page: the NOC's lab-root warning comes from here too.
      trustsLabAttestationRoot: this.config.trustLabRoot,
    };
  }

  /** Final: the handset's certificates are revoked (CRL) and it can no longer authenticate. */
  async retire(id: string, reason: string, by: Principal, requestId: string) {
    requireRole(by, 'device-admin');
    const d = await this.visible(id, by);
    if (d.state === 'retired' || d.state === 'wiped')
      throw deviceMgmtError('device_retired', `This device is already ${d.state}.`);
    const serials = await this.retireNow(id, { reason }, by, requestId);
    return { id, state: 'retired' as const, revokedCertificates: serials };
  }

  /**
   * The desktops a device policy change now forbids (`allowDesktop: false`), retired as an operator's
   * retirement is (certificates revoked, DeviceCertificatesRevoked announced: chat removes their leaves) and
   * audited each, naming the policy. `forbidden` is the caller's reading of each one's effective policy.
   */
  async retireForbiddenDesktops(
    where: { institutionId?: string; groupId?: string },
    forbidden: (d: DeviceRow) => Promise<boolean>,
    policy: { scope: string; version: number },
    by: Principal,
    requestId: string | null,
  ): Promise<string[]> {
    requireRole(by, 'device-admin');
    const retired: string[] = [];
    for (const d of await this.repo.liveDesktops(where)) {
      if (!(await forbidden(d))) continue;
      const reason = 'the device policy forbids desktop devices (allowDesktop: false)';
      await this.retireNow(
        d.id,
        { reason, policyScope: policy.scope, policyVersion: policy.version },
        by,
        requestId,
      );
      retired.push(d.id);
    }
    return retired;
  }

  /** Retires the device: state, certificates revoked and audited in one transaction, then announced. */
  private async retireNow(
    id: string,
    details: { reason: string } & Record<string, unknown>,
    by: Principal,
    requestId: string | null,
  ): Promise<string[]> {
    const serials = await this.repo.transaction(async (tx) => {
      await this.repo.setState(id, 'retired', tx);
      const revoked = await this.ca.revokeForDevice(id, 'retired', tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.device.retired',
          target: `device:${id}`,
          details: { ...details, revokedCertificates: revoked },
          requestId,
        },
        tx,
      );
      return revoked;
    });
    await this.ca.announceRevoked(id, serials, 'retired');
    return serials;
  }

  /**
   * An operator declares the handset lost (stolen, gone): its certificates are revoked for key compromise (CRL)
   * so it can no longer check in, reach the broker or sign its official in, and DeviceLost bars its SIM. Not
   * undone: a handset that is found is enrolled again. Declaring an already lost device lost again revokes
   * whatever certificate it still holds (one that entered lost mode by itself keeps its certificate).
   */
  async markLost(id: string, reason: string | null, by: Principal, requestId: string) {
    requireRole(by, 'device-admin');
    const d = await this.visible(id, by);
    if (d.state === 'retired' || d.state === 'wiped')
      throw deviceMgmtError('device_retired', `This device is already ${d.state}.`);
    const serials = await this.repo.transaction(async (tx) => {
      await this.repo.setState(id, 'lost', tx);
      const revoked = await this.ca.revokeForDevice(id, 'lost', tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.device.marked-lost',
          target: `device:${id}`,
          details: { reason, previousState: d.state, revokedCertificates: revoked },
          requestId,
        },
        tx,
      );
      return revoked;
    });
    await this.ca.announceRevoked(id, serials, 'lost');
    // The SIM is barred on the transition only (a handset already in lost mode had it barred then).
    if (d.state !== 'lost')
      for (const event of lostEvents(d, reason ?? 'declared lost by an operator'))
        await this.bus.publish(event).catch((err: unknown) => {
          this.logger.error({ err, deviceId: id }, 'publishing device-mgmt.device.lost failed');
        });
    return { id, state: 'lost' as const, revokedCertificates: serials };
  }

  private async visible(id: string, by: Principal): Promise<DeviceRow> {
    const d = await this.repo.byId(id);
    if (!d) throw notFound();
    requireInScope(by, d.institutionId, notFound);
    return d;
  }
}
