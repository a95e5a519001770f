import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import type { ModuleRef } from '@nestjs/core';
import type { OfficialDirectory, OfficialRecord } from '@pakawaaz/core-network';
import {
  AppError,
  AuditService,
  FileKeyBackend,
  institutionScope,
  KeyService,
  platformDomain,
  type Principal,
  type RolloutGate,
} from '@pakawaaz/platform';
import {
  createTestCa,
  createTestDatabase,
  issueTestDevice,
  operatorPrincipal,
  type TestDatabase,
  testLogger,
} from '@pakawaaz/test-support';
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceCaPorts } from '../../src/device-ca/device-ca-ports.js';
import type { PoliciesService } from '../../src/policies/policies.service.js';
import { DeviceCaRepository } from '../../src/device-ca/device-ca.repository.js';
import { DeviceCaService, openDeviceCaState } from '../../src/device-ca/device-ca.service.js';
import { thumbprintOf, verifiedCsr } from '../../src/device-ca/device-ca.js';
import { loadPushConfig, type DeviceMgmtConfig } from '../../src/device-mgmt.config.js';
import { deviceMgmtDomain } from '../../src/device-mgmt.domain.js';
import { devices } from '../../src/devices/devices.schema.js';
import { AttestationContext } from '../../src/enrolment/attestation-context.js';
import { AttestationVerifier } from '../../src/enrolment/attestation-verifier.js';
import { ChallengePrunerService } from '../../src/enrolment/challenge-pruner.service.js';
import {
  DeviceAttestationService,
  RENEWALS_PER_HOUR,
} from '../../src/enrolment/device-attestation.service.js';
import { attestationChallenges, enrolmentTokens } from '../../src/enrolment/enrolment.schema.js';
import { EnrolmentRepository, OPEN_CHALLENGES_PER_OWNER } from '../../src/enrolment/enrolment.repository.js';
import { EnrolmentService } from '../../src/enrolment/enrolment.service.js';
import { EnrolmentTokensService } from '../../src/enrolment/enrolment-tokens.service.js';
import { Officials } from '../../src/enrolment/officials.js';

/*
 * Enrolment tokens, challenges and the device CA's ports on PostgreSQL, wired by hand. Attestation chains
 * themselves are exercised end to end in lab/test/e2e/handset-enrolment.e2e.spec.ts (lab builds them).
 */
const INTERIOR = '11111111-1111-4111-8111-111111111111';
const FINANCE = '33333333-3333-4333-8333-333333333333';

const national = operatorPrincipal('op-1', ['super-admin']);
const interiorAdmin: Principal = {
  ...national,
  roles: ['device-admin'],
  institutionId: INTERIOR,
  scope: institutionScope([INTERIOR]),
};

class MemoryDirectory implements OfficialDirectory {
  readonly people = new Map<string, OfficialRecord>();
  add(p: Partial<OfficialRecord> & { userId: string; username: string }) {
    this.people.set(p.userId, {
      displayName: p.username,
      kind: 'official',
      status: 'active',
      institutionId: null,
      institutionName: null,
      ...p,
    });
  }
  find(ref: string) {
    const found = this.people.get(ref) ?? [...this.people.values()].find((p) => p.username === ref);
    return Promise.resolve(found ?? null);
  }
  byIds(ids: readonly string[]) {
    return Promise.resolve(
      new Map(ids.flatMap((id) => (this.people.has(id) ? [[id, this.people.get(id)!] as const] : []))),
    );
  }
}

let db: TestDatabase;
let dir: string;
let tokens: EnrolmentTokensService;
let enrolment: EnrolmentService;
let ca: DeviceCaService;
let ports: DeviceCaPorts;
let renewal: DeviceAttestationService;
let rolloutAllows = true;
const directory = new MemoryDirectory();

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, deviceMgmtDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-dm-'));
  const config: DeviceMgmtConfig = {
    dataDir: dir,
    caKeyFile: path.join(dir, 'keys', 'device-ca.jwk'),
    certificateValidityDays: 90,
    trustLabRoot: false,
    demoFleet: false,
    labRootFile: path.join(dir, 'lab', 'attestation-root.pem'),
    attestationRootsFile: null,
    attestationStatusFile: path.join(dir, 'status.json'),
    push: loadPushConfig({ PAKAWAAZ_MQTT_PORT: '0' }, { HOST: '127.0.0.1' }),
    agent: null,
    requireStrongBox: false,
    minimumPatchLevel: null,
    trustedBootKeys: [],
    enrolUrlBase: 'https://noc.gov.example',
    checkInBatch: 64,
    desktopEnrolment: { maxAuthAgeSeconds: 300, acr: 'aal2' },
  };
  const keys = new KeyService(new FileKeyBackend(), testLogger);
  const state = await openDeviceCaState(keys, db.handle, config, testLogger);
  const caRepo = new DeviceCaRepository(db.handle);
  ca = new DeviceCaService(state, config, caRepo);
  // Handsets only here: the device policy is asked for desktops alone.
  ports = new DeviceCaPorts(ca, caRepo, {} as PoliciesService);
  const repo = new EnrolmentRepository(db.handle);
  const officials = new Officials({ get: () => directory } as unknown as ModuleRef);
  const rollout = {
    require: () => {
      if (!rolloutAllows) throw new AppError('capability_not_enabled', 'not in this phase', 403);
      return Promise.resolve();
    },
  } as unknown as RolloutGate;
  const audit = new AuditService(db.handle);
  tokens = new EnrolmentTokensService(repo, officials, rollout, audit, config);
  enrolment = new EnrolmentService(
    repo,
    new AttestationVerifier(new AttestationContext(config, testLogger)),
    ca,
    officials,
    rollout,
    audit,
  );
  renewal = new DeviceAttestationService(repo, enrolment, ca, caRepo);
  directory.add({
    userId: 'u-nadia',
    username: 'nadia',
    institutionId: INTERIOR,
    institutionName: 'Interior',
  });
  directory.add({ userId: 'u-omar', username: 'omar', institutionId: FINANCE, institutionName: 'Finance' });
  directory.add({ userId: 'u-off', username: 'off', status: 'disabled', institutionId: INTERIOR });
  directory.add({ userId: 'u-op', username: 'noc.op', kind: 'operator', institutionId: INTERIOR });
});
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('enrolment tokens', () => {
  it('stores only the SHA-256, names the official and makes an enrol URL for the QR code', async () => {
    const t = await tokens.create({ official: 'nadia' }, interiorAdmin, 'r1');
    expect(t.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t.enrolUrl).toBe(`https://noc.gov.example/enrol#token=${t.token}`);
    expect(t.official).toEqual({ id: 'u-nadia', username: 'nadia', displayName: 'nadia' });
    const [row] = await db.handle.db.select().from(enrolmentTokens).where(eq(enrolmentTokens.id, t.id));
    expect(row!.tokenHash).not.toContain(t.token);
    expect(JSON.stringify(row)).not.toContain(t.token);
  });

  it('refuses operators, disabled officials, unknown people and (in scope) other institutions’ officials', async () => {
    expect(await code(tokens.create({ official: 'noc.op' }, national, 'r'))).toBe('not_an_official');
    expect(await code(tokens.create({ official: 'off' }, national, 'r'))).toBe('official_disabled');
    expect(await code(tokens.create({ official: 'nobody' }, national, 'r'))).toBe('official_not_found');
    expect(await code(tokens.create({ official: 'omar' }, interiorAdmin, 'r'))).toBe('official_not_found');
    expect(await code(tokens.create({ official: 'omar' }, national, 'r'))).toBe('ok');
  });

  it('lists only the caller’s institutions’ tokens; another institution’s token cannot be revoked', async () => {
    const listed = await tokens.list(interiorAdmin, { limit: 100 });
    expect(new Set(listed.map((t) => t.institutionId))).toEqual(new Set([INTERIOR]));
    const finance = (await tokens.list(national, { limit: 100 })).find((t) => t.institutionId === FINANCE)!;
    expect(await code(tokens.revoke(finance.id, interiorAdmin, 'r'))).toBe('enrolment_token_not_found');
  });

  it('is gated by the rollout phase of the official’s institution', async () => {
    rolloutAllows = false;
    try {
      expect(await code(tokens.create({ official: 'nadia' }, interiorAdmin, 'r'))).toBe(
        'capability_not_enabled',
      );
    } finally {
      rolloutAllows = true;
    }
  });
});

describe('challenges', () => {
  it('are 32 random bytes, single use, and tied to their token', async () => {
    const a = await tokens.create({ official: 'nadia' }, national, 'r');
    const b = await tokens.create({ official: 'nadia' }, national, 'r');
    const c = await enrolment.challenge(a.token);
    expect(c.challenge).toMatch(/^[0-9a-f]{64}$/);
    expect(c.expiresIn).toBe(300);
    // Another token's challenge is refused (and spent).
    expect(await code(enrolment.takeChallenge(c.challengeId, new Date(), (x) => x.tokenId === b.id))).toBe(
      'challenge_invalid',
    );
    const d = await enrolment.challenge(a.token);
    await enrolment.takeChallenge(d.challengeId, new Date(), () => true);
    expect(await code(enrolment.takeChallenge(d.challengeId, new Date(), () => true))).toBe(
      'challenge_invalid',
    );
  });

  it('are kept to the newest few per token: asking again and again supersedes the oldest', async () => {
    const a = await tokens.create({ official: 'nadia' }, national, 'r');
    const asked = [];
    for (let i = 0; i < OPEN_CHALLENGES_PER_OWNER + 3; i++) asked.push(await enrolment.challenge(a.token));
    const left = await db.handle.db
      .select({ id: attestationChallenges.id })
      .from(attestationChallenges)
      .where(eq(attestationChallenges.tokenId, a.id));
    expect(left).toHaveLength(OPEN_CHALLENGES_PER_OWNER);
    // The newest still works; the oldest is gone.
    await enrolment.takeChallenge(asked.at(-1)!.challengeId, new Date(), () => true);
    expect(await code(enrolment.takeChallenge(asked[0]!.challengeId, new Date(), () => true))).toBe(
      'challenge_invalid',
    );
  });

  it('expire after five minutes', async () => {
    const a = await tokens.create({ official: 'nadia' }, national, 'r');
    const c = await enrolment.challenge(a.token);
    const later = new Date(Date.now() + 301_000);
    expect(await code(enrolment.takeChallenge(c.challengeId, later, () => true))).toBe('challenge_invalid');
    const [row] = await db.handle.db
      .select()
      .from(attestationChallenges)
      .where(eq(attestationChallenges.id, c.challengeId));
    expect(row!.usedAt).not.toBeNull();
  });

  it('are deleted once expired, in bounded batches, by the pruner (used or not; live ones stay)', async () => {
    const pruner = new ChallengePrunerService(new EnrolmentRepository(db.handle), testLogger);
    await pruner.prune(); // what earlier tests left
    const a = await tokens.create({ official: 'nadia' }, national, 'r');
    const live = await enrolment.challenge(a.token);
    const used = await enrolment.challenge(a.token);
    await enrolment.takeChallenge(used.challengeId, new Date(), () => true);
    const past = new Date(Date.now() - 1000);
    await db.handle.db
      .insert(attestationChallenges)
      .values(
        Array.from({ length: 5 }, (_, i) => ({ challenge: `old-${i}`, tokenId: a.id, expiresAt: past })),
      );
    const now = new Date();
    // Two rows a statement, at most two statements: four go, one waits for the next run.
    expect(await pruner.prune(now, 2, 2)).toEqual({ deleted: 4, batches: 2, more: true });
    expect(await pruner.prune(now, 2, 2)).toEqual({ deleted: 1, batches: 1, more: false });
    const left = await db.handle.db
      .select({ id: attestationChallenges.id })
      .from(attestationChallenges)
      .where(eq(attestationChallenges.tokenId, a.id));
    expect(left.map((r) => r.id).sort()).toEqual([live.challengeId, used.challengeId].sort());
    // Five minutes on, both are expired and go too (with the other tests' live ones).
    const later = new Date(Date.now() + 301_000);
    expect((await pruner.prune(later)).deleted).toBeGreaterThanOrEqual(2);
    const gone = await db.handle.db
      .select({ id: attestationChallenges.id })
      .from(attestationChallenges)
      .where(eq(attestationChallenges.tokenId, a.id));
    expect(gone).toEqual([]);
  });

  it('are refused for expired, revoked and unknown tokens', async () => {
    const expired = await tokens.create({ official: 'nadia' }, national, 'r');
    await db.handle.db
      .update(enrolmentTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(enrolmentTokens.id, expired.id));
    expect(await code(enrolment.challenge(expired.token))).toBe('enrolment_token_invalid');
    const revoked = await tokens.create({ official: 'nadia' }, national, 'r');
    await tokens.revoke(revoked.id, national, 'r');
    expect(await code(enrolment.challenge(revoked.token))).toBe('enrolment_token_invalid');
    expect(await code(tokens.revoke(revoked.id, national, 'r'))).toBe('enrolment_token_spent');
    expect(await code(enrolment.challenge('x'.repeat(43)))).toBe('enrolment_token_invalid');
  });
});

describe('the device CA ports', () => {
  async function enrolledDevice(state: 'active' | 'retired' = 'active') {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const csr = await Pkcs10CertificateRequestGenerator.create({
      name: 'CN=x',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const [d] = await db.handle.db
      .insert(devices)
      .values({
        userId: 'u-nadia',
        institutionId: INTERIOR,
        state,
        attestation: {},
        lastAttestedAt: new Date(),
      })
      .returning();
    const issued = await ca.issue({
      csr: await verifiedCsr(new Uint8Array(csr.rawData)),
      attestedSpki: null,
      deviceId: d!.id,
      userId: 'u-nadia',
      imei: null,
    });
    const der = new Uint8Array(Buffer.from(issued.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    return { deviceId: d!.id, der, issued, csrDer: new Uint8Array(csr.rawData) };
  }

  it('authenticates a device certificate of ours, and binds it for identity’s device factor', async () => {
    const { deviceId, der, issued } = await enrolledDevice();
    const r = await ports.authenticate([der]);
    expect(r).toEqual({
      ok: true,
      device: {
        deviceId,
        userId: 'u-nadia',
        institutionId: INTERIOR,
        certThumbprint: issued.thumbprint,
        compliance: 'compliant',
        kind: 'handset',
      },
    });
    expect(await ports.bindingOf(issued.thumbprint)).toEqual({ userId: 'u-nadia', deviceId });
    expect(await ports.isRevoked(issued.serial)).toBe(false);
    expect(await ports.isRevoked('abcdef')).toBe(true);
    expect((await ports.anchors()).length).toBe(1);
    expect((await ports.clientCas())[0]).toContain('BEGIN CERTIFICATE');
  });

  it('refuses revoked, retired, foreign and garbage certificates', async () => {
    const revoked = await enrolledDevice();
    expect(await ports.revokeForDevice(revoked.deviceId, 'lost')).toBe(1);
    expect(await ports.authenticate([revoked.der])).toEqual({ ok: false, reason: 'revoked' });
    expect(await ports.isRevoked(revoked.issued.serial)).toBe(true);
    expect(await ports.bindingOf(revoked.issued.thumbprint)).toBeNull();
    const retired = await enrolledDevice('retired');
    expect(await ports.authenticate([retired.der])).toEqual({ ok: false, reason: 'device_retired' });
    const foreign = await issueTestDevice(await createTestCa('Pakawaaz Device CA'));
    expect(await ports.authenticate([new Uint8Array(foreign.cert.rawData)])).toEqual({
      ok: false,
      reason: 'untrusted',
    });
    expect(await ports.authenticate([new Uint8Array([0x30, 0x03, 1, 2, 3])])).toEqual({
      ok: false,
      reason: 'untrusted',
    });
    expect(await ports.authenticate([])).toEqual({ ok: false, reason: 'untrusted' });
  });

  it('renews a certificate for the same key: a new serial, the old one revoked as superseded', async () => {
    const { deviceId, der, issued, csrDer } = await enrolledDevice();
    const principal = {
      deviceId,
      userId: 'u-nadia',
      institutionId: INTERIOR,
      certThumbprint: issued.thumbprint,
      compliance: 'compliant' as const,
    };
    const renewed = await renewal.renew(principal, { csr: csrDer });
    expect(renewed.certificate).toContain('BEGIN CERTIFICATE');
    expect(await ports.isRevoked(issued.serial)).toBe(true);
    const newDer = new Uint8Array(
      Buffer.from(renewed.certificate.replace(/-----[^-]+-----|\s/g, ''), 'base64'),
    );
    expect(await ports.authenticate([newDer])).toMatchObject({ ok: true, device: { deviceId } });
    // The replaced certificate authenticates nothing, but still names its device (an MLS leaf made with it).
    expect(await ports.authenticate([der])).toMatchObject({
      ok: false,
      reason: 'revoked',
      replaced: { deviceId, userId: 'u-nadia' },
    });
    // A CSR for another key needs a new attestation.
    const other = await enrolledDevice();
    expect(
      await code(
        renewal.renew(
          {
            ...principal,
            certThumbprint: thumbprintOf(newDer),
          },
          {
            csr: other.csrDer,
          },
        ),
      ),
    ).toBe('csr_key_mismatch');
    // Declared lost while a renewal with the new certificate is under way (state lost, certificate revoked):
    // the renewal, authenticated before, gets no certificate.
    await db.handle.db.update(devices).set({ state: 'lost' }).where(eq(devices.id, deviceId));
    await ca.revokeForDevice(deviceId, 'lost');
    const inFlight = { ...principal, certThumbprint: thumbprintOf(newDer) };
    expect(await code(renewal.renew(inFlight, { csr: csrDer }))).toBe('device_not_active');
    // Its superseded certificate no longer names the device once it is out of service (lost, wiped,
    // retired): a replaced certificate is honoured for an active device only.
    for (const state of ['lost', 'wiped', 'retired'] as const) {
      await db.handle.db.update(devices).set({ state }).where(eq(devices.id, deviceId));
      expect(await ports.authenticate([der])).toEqual({ ok: false, reason: 'revoked' });
    }
  });

  it(`rate limits renewals per device across the cluster: ${RENEWALS_PER_HOUR} attempts an hour, then 429 with Retry-After`, async () => {
    const { deviceId, issued } = await enrolledDevice();
    const principal = {
      deviceId,
      userId: 'u-nadia',
      institutionId: INTERIOR,
      certThumbprint: issued.thumbprint,
      compliance: 'compliant' as const,
    };
    const garbage = { csr: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]) };
    // A second node of the cluster (its own service instance, the same database): the limit is the
    // cluster's, so attempts on both nodes count together.
    const otherNode = new DeviceAttestationService(
      new EnrolmentRepository(db.handle),
      enrolment,
      ca,
      new DeviceCaRepository(db.handle),
    );
    // Every attempt counts, a failed one too (each makes the server parse and verify).
    for (let i = 0; i < RENEWALS_PER_HOUR; i += 1)
      expect(await code((i % 2 === 0 ? renewal : otherNode).renew(principal, garbage))).toBe('csr_invalid');
    expect(await code(otherNode.renew(principal, garbage))).toBe('renewal_rate_limited');
    const refused = await renewal.renew(principal, garbage).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    const e = refused as AppError;
    expect([e.code, e.status]).toEqual(['renewal_rate_limited', 429]);
    const wait = (e.details as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(wait).toBeGreaterThan(3500);
    expect(wait).toBeLessThanOrEqual(3600);
    // Another device is not held back.
    const other = await enrolledDevice();
    expect(
      await code(
        renewal.renew(
          { ...principal, deviceId: other.deviceId, certThumbprint: other.issued.thumbprint },
          garbage,
        ),
      ),
    ).toBe('csr_invalid');
  });

  it('reopens the same CA after a restart (same key, same CA certificate)', async () => {
    const again = await openDeviceCaState(
      new KeyService(new FileKeyBackend(), testLogger),
      db.handle,
      {
        caKeyFile: path.join(dir, 'keys', 'device-ca.jwk'),
      } as DeviceMgmtConfig,
      testLogger,
    );
    expect(again.anchors.map((a) => a.serialNumber)).toEqual(ca.anchors.map((a) => a.serialNumber));
  });
});
