import { randomBytes } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import type { DevicePrincipal } from '@pakawaaz/platform';
import { AppError } from '@pakawaaz/platform';
import { X509Certificate } from '@peculiar/x509';
import { sameKey } from '../device-ca/device-ca.js';
import { DeviceCaRepository } from '../device-ca/device-ca.repository.js';
import { DeviceCaService } from '../device-ca/device-ca.service.js';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { EnrolmentRepository } from './enrolment.repository.js';
import { takeRenewal, type RenewalDecision } from './renewal-limiter.js';
import { OsUpdateRecorder } from '../os-updates/os-update-recorder.js';
import { CHALLENGE_TTL_SECONDS, EnrolmentService, type ChallengeIssued } from './enrolment.service.js';

/** Certificate renewals (attempts, whatever their outcome) a device may make per hour. */
export const RENEWALS_PER_HOUR = 5;
const RENEWAL_LIMIT = { limit: RENEWALS_PER_HOUR, windowMs: 3_600_000 };

/**
 * An enrolled handset's own routes: re-attestation (a fresh key attested with our challenge, on a schedule or
 * on demand) and certificate renewal (the same key, or a newly attested one; the old certificate is revoked
 * as superseded).
 */
@Injectable()
export class DeviceAttestationService {
  constructor(
    private readonly repo: EnrolmentRepository,
    private readonly enrolment: EnrolmentService,
    private readonly ca: DeviceCaService,
    private readonly certificates: DeviceCaRepository,
    // Absent only where the service is built by hand (tests): then no rollout is told of attestations.
    @Optional() private readonly osUpdates?: OsUpdateRecorder,
  ) {}

  async challenge(device: DevicePrincipal): Promise<ChallengeIssued> {
    const challenge = randomBytes(32).toString('hex');
    const c = await this.repo.insertChallenge({
      challenge,
      deviceId: device.deviceId,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000),
    });
    return { challengeId: c.id, challenge, expiresIn: CHALLENGE_TTL_SECONDS };
  }

  /**
   * Verifies a new attestation; accepted facts replace the device's, a refusal is audited and answered 422.
   * The first one after an OS update of a rollout decides that update (verified, or failed with the reasons).
   */
  async reattest(device: DevicePrincipal, input: { challengeId: string; attestationChain: Uint8Array[] }) {
    let read: Awaited<ReturnType<typeof this.attested>>;
    try {
      read = await this.attested(device, input.challengeId, input.attestationChain);
    } catch (err) {
      if (err instanceof AppError && err.code === 'attestation_refused')
        await this.osUpdates?.attestationAfterUpdate(device.deviceId, {
          refused: refusalReasons(err.details),
        });
      throw err;
    }
    const now = new Date();
    await this.repo.updateAttestation(device.deviceId, { attestation: read.facts, lastAttestedAt: now });
    await this.osUpdates?.attestationAfterUpdate(device.deviceId, {
      accepted: { osPatchLevel: read.facts.osPatchLevel },
    });
    return { read, attestedAt: now };
  }

  async renew(
    device: DevicePrincipal,
    input: { csr: Uint8Array; challengeId?: string | undefined; attestationChain?: Uint8Array[] | undefined },
  ) {
    // Counted in the database: the limit holds whichever of the cluster's nodes the handset reaches.
    const now = Date.now();
    const allowed = await this.repo.withRenewalAttempts(device.deviceId, (attempts) => {
      const { decision, keep } = takeRenewal(attempts, now, RENEWAL_LIMIT);
      return { keep, result: decision satisfies RenewalDecision };
    });
    if (!allowed.allowed)
      throw deviceMgmtError(
        'renewal_rate_limited',
        `Too many certificate renewals for this device: wait ${allowed.retryAfterSeconds} s.`,
        { retryAfterSeconds: allowed.retryAfterSeconds },
      );
    const csr = await this.enrolment.csr(input.csr);
    let spki: Uint8Array;
    if (input.challengeId && input.attestationChain) {
      const { read } = await this.reattest(device, {
        challengeId: input.challengeId,
        attestationChain: input.attestationChain,
      });
      spki = read.leafSpki;
    } else {
      // Without a new attestation only the key the hardware attested at enrolment may be certified again.
      const current = await this.certificates.byThumbprintDer(device.certThumbprint);
      if (!current) throw deviceMgmtError('device_not_found', 'The presented certificate is not on record.');
      spki = new Uint8Array(new X509Certificate(current).publicKey.rawData);
    }
    if (!sameKey(csr.spki, spki))
      throw deviceMgmtError('csr_key_mismatch', 'The CSR is not for the attested key.');
    const d = await this.repo.device(device.deviceId);
    if (!d) throw deviceMgmtError('device_not_found', 'No such device.');
    const issued = await this.repo.transaction(async (tx) => {
      // Under the device's row lock: an operator who declared the handset lost (or wiped, or retired it) while
      // this request was under way has revoked the certificate it came with; it gets no new one.
      const locked = await this.repo.lockDevice(d.id, tx);
      if (!locked || locked.state !== 'active')
        throw deviceMgmtError(
          'device_not_active',
          `The device is ${locked?.state ?? 'gone'}: no certificate is issued.`,
        );
      const presented = await this.certificates.byThumbprint(device.certThumbprint);
      if (!presented || presented.revokedAt)
        throw deviceMgmtError(
          'device_not_active',
          'The certificate this request came with was revoked meanwhile.',
        );
      const cert = await this.ca.issue(
        { csr, attestedSpki: spki, deviceId: d.id, userId: d.userId, imei: d.imei },
        tx,
      );
      const superseded = await this.ca.revokeForDevice(d.id, 'superseded', tx, cert.serial);
      return { ...cert, superseded };
    });
    await this.ca.announceRevoked(d.id, issued.superseded, 'superseded');
    return {
      deviceId: d.id,
      certificate: issued.pem,
      caCertificates: this.ca.caPems(),
      notAfter: issued.notAfter,
    };
  }

  private async attested(device: DevicePrincipal, challengeId: string, chain: Uint8Array[]) {
    const now = new Date();
    const challenge = await this.enrolment.takeChallenge(
      challengeId,
      now,
      (c) => c.deviceId === device.deviceId,
    );
    const d = await this.repo.device(device.deviceId);
    const read = await this.enrolment.attest(
      chain,
      challenge.challenge,
      now,
      { actor: { type: 'official', id: device.userId }, target: `device:${device.deviceId}`, requestId: '' },
      { institutionId: d?.institutionId ?? null, reportedModel: d?.model ?? null },
    );
    // The device's attested identifiers (IMEI, serial: hardware facts, recorded only when attested at
    // enrolment) must be attested again, the same: a chain from another handset cannot stand in for this one.
    const ids = read.facts.attestedIds;
    const differs = [
      d?.imei && ids.imei !== d.imei ? 'IMEI' : null,
      d?.serial && ids.serial !== d.serial ? 'serial number' : null,
    ].filter((x): x is string => x !== null);
    if (differs.length > 0)
      throw deviceMgmtError(
        'attestation_refused',
        `The attested ${differs.join(' and ')} ${differs.length > 1 ? 'are' : 'is'} not this device’s.`,
        { reasons: ['DEVICE_MISMATCH'] },
      );
    return read;
  }
}

/** The reason codes of an attestation refusal's details (`{ reasons: [...] }`), or a generic one. */
function refusalReasons(details: unknown): string[] {
  const reasons = (details as { reasons?: unknown } | undefined)?.reasons;
  const codes = Array.isArray(reasons)
    ? reasons.map((r) => (typeof r === 'string' ? r : (r as { code?: unknown } | null)?.code))
    : [];
  const named = codes.filter((c): c is string => typeof c === 'string');
  return named.length > 0 ? named : ['ATTESTATION_REFUSED'];
}
