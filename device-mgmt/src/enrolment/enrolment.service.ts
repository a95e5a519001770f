import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService, RolloutGate, type Db } from '@pakawaaz/platform';
import type { AttestationFacts } from '../attestation/index.js';
import { DeviceCaError, sameKey, verifiedCsr } from '../device-ca/device-ca.js';
import { DeviceCaService } from '../device-ca/device-ca.service.js';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { AttestationVerifier, type AttestationSubject } from './attestation-verifier.js';
import { EnrolmentRepository, type ChallengeRow } from './enrolment.repository.js';
import { tokenHash } from './enrolment-tokens.service.js';
import { Officials } from './officials.js';

export const CHALLENGE_TTL_SECONDS = 300;
export const CHECK_IN_INTERVAL_SECONDS = 900;

export type ChallengeIssued = { challengeId: string; challenge: string; expiresIn: number };
export type EnrolmentInput = {
  token: string;
  challengeId: string;
  attestationChain: Uint8Array[];
  csr: Uint8Array;
  /** What the handset says about itself; attested identifiers beat it. */
  reported?:
    | {
        imei?: string | undefined;
        serial?: string | undefined;
        brand?: string | undefined;
        model?: string | undefined;
      }
    | undefined;
};
export type Enrolled = {
  deviceId: string;
  certificate: string;
  caCertificates: string[];
  checkInIntervalSeconds: number;
};

const tokenInvalid = () =>
  deviceMgmtError(
    'enrolment_token_invalid',
    'This enrolment token is not valid (unknown, used, revoked or expired): ask your administrator for a new one.',
  );

function isUniqueViolation(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  )
    if (e.code === '23505') return true;
  return false;
}

/**
 * Attested enrolment: token → single-use challenge → Android Key Attestation + CSR → device row and device
 * certificate, in one transaction. Every refusal carries the verifier's reason codes.
 */
@Injectable()
export class EnrolmentService {
  constructor(
    private readonly repo: EnrolmentRepository,
    private readonly verifier: AttestationVerifier,
    private readonly ca: DeviceCaService,
    private readonly officials: Officials,
    private readonly rollout: RolloutGate,
    private readonly audit: AuditService,
  ) {}

  async challenge(token: string): Promise<ChallengeIssued> {
    const now = new Date();
    const row = await this.repo.usableToken(tokenHash(token), now);
    if (!row) throw tokenInvalid();
    const challenge = randomBytes(32).toString('hex');
    const c = await this.repo.insertChallenge({
      challenge,
      tokenId: row.id,
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
    });
    return { challengeId: c.id, challenge, expiresIn: CHALLENGE_TTL_SECONDS };
  }

  async enrol(input: EnrolmentInput, requestId: string): Promise<Enrolled> {
    const now = new Date();
    const token = await this.repo.usableToken(tokenHash(input.token), now);
    if (!token) throw tokenInvalid();
    const challenge = await this.takeChallenge(input.challengeId, now, (c) => c.tokenId === token.id);
    await this.rollout.require({ institutionId: token.institutionId }, 'device-enrolment');
    const csr = await this.csr(input.csr);
    const read = await this.attest(
      input.attestationChain,
      challenge.challenge,
      now,
      { actor: { type: 'official', id: token.userId }, target: `user:${token.userId}`, requestId },
      { institutionId: token.institutionId, reportedModel: input.reported?.model ?? null },
    );
    const attestedSpki = read.leafSpki;
    if (!sameKey(csr.spki, attestedSpki))
      throw deviceMgmtError('csr_key_mismatch', 'The CSR is not for the key the hardware attested.');
    const official = await this.officials.find(token.userId);
    // Gone (deleted, or the directory cannot say) is refused like disabled: no certificate for nobody.
    if (!official || official.status !== 'active' || official.kind !== 'official')
      throw deviceMgmtError('official_disabled', 'The official this token was made for is disabled or gone.');
    const deviceId = randomUUID();
    const ids = identifiers(read.facts, input.reported);
    try {
      const cert = await this.repo.transaction(async (tx: Db) => {
        if (!(await this.repo.consumeToken(token.id, deviceId, now, tx))) throw tokenInvalid();
        await this.repo.insertDevice(
          {
            id: deviceId,
            userId: token.userId,
            institutionId: token.institutionId,
            imsi: token.imsi,
            ...ids,
            attestation: read.facts,
            lastAttestedAt: now,
          },
          tx,
        );
        const issued = await this.ca.issue(
          { csr, attestedSpki, deviceId, userId: token.userId, imei: ids.imei },
          tx,
        );
        await this.audit.record(
          {
            actor: { type: 'official', id: token.userId },
            action: 'device-mgmt.device.enrolled',
            target: `device:${deviceId}`,
            details: { tokenId: token.id, serial: issued.serial, imei: ids.imei, model: ids.model },
            requestId,
          },
          tx,
        );
        return issued;
      });
      return {
        deviceId,
        certificate: cert.pem,
        caCertificates: this.ca.caPems(),
        checkInIntervalSeconds: CHECK_IN_INTERVAL_SECONDS,
      };
    } catch (err) {
      if (isUniqueViolation(err))
        throw deviceMgmtError(
          'device_already_enrolled',
          'This handset (its attested IMEI) is already enrolled: retire the old enrolment first.',
        );
      throw err;
    }
  }

  /** Consumed whatever happens next: a challenge answers one attempt, so a replay finds it spent. */
  async takeChallenge(id: string, now: Date, belongs: (c: ChallengeRow) => boolean): Promise<ChallengeRow> {
    const c = await this.repo.consumeChallenge(id, now);
    if (!c || !belongs(c))
      throw deviceMgmtError(
        'challenge_invalid',
        'This challenge is unknown, already used or expired: ask for a new challenge and attest again.',
        { reasons: ['CHALLENGE_MISMATCH'] },
      );
    return c;
  }

  async csr(der: Uint8Array) {
    try {
      return await verifiedCsr(der);
    } catch (err) {
      if (err instanceof DeviceCaError) throw deviceMgmtError('csr_invalid', err.message, { code: err.code });
      throw err;
    }
  }

  /** Verifies the chain (on a worker); a refusal is audited and answered 422 with its reason codes. */
  async attest(
    chain: Uint8Array[],
    challenge: string,
    now: Date,
    who: { actor: { type: 'official'; id: string }; target: string; requestId: string },
    subject?: AttestationSubject,
  ): Promise<{ facts: AttestationFacts; leafSpki: Uint8Array }> {
    const result = await this.verifier.verify(chain, challenge, now, subject);
    if (result.kind === 'unreadable')
      throw deviceMgmtError('attestation_malformed', result.message, { code: result.code });
    if (!result.verdict.ok) {
      await this.audit.record({
        ...who,
        action: 'device-mgmt.attestation.refused',
        details: { reasons: result.verdict.reasons },
      });
      throw deviceMgmtError(
        'attestation_refused',
        `The attestation is refused: ${result.verdict.reasons.join(', ')}.`,
        { reasons: result.verdict.reasons, refusals: result.verdict.refusals },
      );
    }
    return { facts: result.facts, leafSpki: result.leafSpki };
  }
}

/**
 * IMEI and serial only as the hardware attested them: they go into the certificate (SAN) and the one-live-
 * enrolment-per-IMEI rule, where a self-reported value would let a handset claim (and block) another's.
 * Brand and model are labels for the NOC: the handset's word serves when nothing is attested.
 */
function identifiers(facts: AttestationFacts, reported: EnrolmentInput['reported']) {
  const a = facts.attestedIds;
  return {
    imei: a.imei ?? null,
    serial: a.serial ?? null,
    brand: a.brand ?? reported?.brand ?? null,
    model: a.model ?? reported?.model ?? null,
  };
}
