import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService, type Db, type Principal } from '@pakawaaz/platform';
import { DeviceCaService } from '../device-ca/device-ca.service.js';
import { DEVICE_MGMT_CONFIG, type DeviceMgmtConfig } from '../device-mgmt.config.js';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { PoliciesService } from '../policies/policies.service.js';
import { EnrolmentRepository } from './enrolment.repository.js';
import { EnrolmentService } from './enrolment.service.js';
import { staleSignIn } from './fresh-sign-in.js';
import { Officials } from './officials.js';

export type DesktopEnrolled = { deviceId: string; certificate: string; caCertificates: string[] };

/** Live desktop devices an official may hold: each is a long-lived key, so their number is bounded. */
export const DESKTOPS_PER_OFFICIAL = 5;

/** What the NOC shows of a browser enrolment (no hardware facts: nothing is attested). */
const DESKTOP_FACTS = { kind: 'desktop', attested: false } as const;

/**
 * An official enrols the browser they are signed in with as a `desktop` device (the officials' web chat): the
 * page made a non-extractable ECDSA P-256 key and a CSR for it; the device CA certifies that key for this
 * official. No attestation — the sign-in is the proof of who asks — so that sign-in must be recent and strong
 * (config `desktopEnrolment`: whoever holds a token for a minute, or a long session's, mints no device that
 * outlives it), and the institution's device policy may forbid it (`allowDesktop: false`).
 */
@Injectable()
export class DesktopEnrolmentService {
  constructor(
    private readonly repo: EnrolmentRepository,
    private readonly enrolment: EnrolmentService,
    private readonly ca: DeviceCaService,
    private readonly officials: Officials,
    private readonly policies: PoliciesService,
    private readonly audit: AuditService,
    @Inject(DEVICE_MGMT_CONFIG) private readonly config: Pick<DeviceMgmtConfig, 'desktopEnrolment'>,
  ) {}

  async enrol(by: Principal, csrDer: Uint8Array, requestId: string): Promise<DesktopEnrolled> {
    if (by.actor.type !== 'official')
      throw deviceMgmtError('not_an_official', 'Only an official signed in as themselves enrols a desktop.');
    const rule = this.config.desktopEnrolment;
    const stale = staleSignIn(by, rule, Date.now());
    if (stale)
      throw deviceMgmtError('fresh_sign_in_required', `Sign in again: ${stale}.`, {
        maxAuthAgeSeconds: rule.maxAuthAgeSeconds,
        acr: rule.acr,
      });
    const official = await this.officials.find(by.actor.id);
    if (!official || official.status !== 'active' || official.kind !== 'official')
      throw deviceMgmtError('official_disabled', 'This official is disabled or gone.');
    requireDesktopsAllowed(await this.policies.effective(by.institutionId));
    const csr = await this.enrolment.csr(csrDer);
    const deviceId = randomUUID();
    const now = new Date();
    const cert = await this.repo.transaction(async (tx: Db) => {
      // Again under the policy versions' shared lock: a change turning `allowDesktop` off either committed
      // before (refused here) or waits for this insert (and its retirement of desktops then finds this one).
      await this.repo.holdPolicyVersions(tx);
      requireDesktopsAllowed(await this.policies.effective(by.institutionId, tx));
      if ((await this.repo.liveDesktops(by.actor.id, tx)) >= DESKTOPS_PER_OFFICIAL)
        throw deviceMgmtError(
          'desktop_limit_reached',
          `You have ${DESKTOPS_PER_OFFICIAL} desktop devices already: ask an administrator to retire one you no longer use.`,
          { limit: DESKTOPS_PER_OFFICIAL },
        );
      await this.repo.insertDevice(
        {
          id: deviceId,
          userId: by.actor.id,
          institutionId: by.institutionId,
          kind: 'desktop',
          attestation: { ...DESKTOP_FACTS },
          lastAttestedAt: now,
        },
        tx,
      );
      const issued = await this.ca.issue(
        { csr, attestedSpki: null, deviceId, userId: by.actor.id, imei: null },
        tx,
      );
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.device.enrolled',
          target: `device:${deviceId}`,
          details: { kind: 'desktop', serial: issued.serial, session: by.sessionId ?? null },
          requestId,
        },
        tx,
      );
      return issued;
    });
    return { deviceId, certificate: cert.pem, caCertificates: this.ca.caPems() };
  }
}

function requireDesktopsAllowed(policy: { version: number; settings: { allowDesktop: boolean } }): void {
  if (!policy.settings.allowDesktop)
    throw deviceMgmtError(
      'desktop_devices_forbidden',
      "Your institution's device policy does not allow desktop devices: use your handset.",
      { policyVersion: policy.version },
    );
}
