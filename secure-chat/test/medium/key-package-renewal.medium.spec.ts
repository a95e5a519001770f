import { randomUUID } from 'node:crypto';
import {
  certificateThumbprint,
  platformDomain,
  type DeviceAuthentication,
  type DeviceAuthenticator,
} from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { readKeyPackage } from '@pakawaaz/mls';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatWake } from '../../src/chat-ports.js';
import { keyPackages as keyPackagesTable } from '../../src/delivery/delivery.schema.js';
import { KeyPackagesRepository } from '../../src/key-packages/key-packages.repository.js';
import { KeyPackagesService } from '../../src/key-packages/key-packages.service.js';
import type { SecureChatConfig } from '../../src/secure-chat.config.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { testCa, TestDevice, TestDeviceAuthenticator } from '../support/mls-devices.js';

const MINISTRY = randomUUID();
const config = { lowKeyPackages: 10 } as SecureChatConfig;

/** Device management after renewals: a replaced certificate is revoked as superseded, its device in service. */
class RenewingAuthenticator implements DeviceAuthenticator {
  private readonly known = new TestDeviceAuthenticator();
  private readonly replacedCerts = new Set<string>();

  add(...devices: TestDevice[]): void {
    this.known.add(...devices);
  }

  /** `from`'s certificate renewed as `to`'s (the same device). */
  renew(from: TestDevice, to: TestDevice): void {
    this.add(to);
    this.replacedCerts.add(from.principal.certThumbprint);
  }

  async authenticate(chain: readonly Uint8Array[]): Promise<DeviceAuthentication> {
    const r = await this.known.authenticate(chain);
    if (!r.ok || !this.replacedCerts.has(certificateThumbprint(chain[0]!))) return r;
    return { ok: false, reason: 'revoked', replaced: r.device };
  }
}

/**
 * KeyPackages across a certificate renewal (PostgreSQL, or PGlite when none is reachable): a claim hands out
 * only packages under the device's live certificate, drops those under the one the renewal replaced, and tells
 * the device its stock (under the live certificate) is low.
 */
describe('KeyPackages after a certificate renewal', () => {
  let db: TestDatabase;
  let repo: KeyPackagesRepository;
  let keyPackages: KeyPackagesService;
  const auth = new RenewingAuthenticator();
  const low: { deviceId: string; left: number }[] = [];
  const users = { alice: randomUUID(), bob: randomUUID() };
  let ca: Awaited<ReturnType<typeof testCa>>;
  let alice: TestDevice;

  const handset = (userId: string, deviceId: string = randomUUID()) =>
    TestDevice.create(ca, { deviceId, userId, institutionId: MINISTRY });
  /** The certificate of a handed-out package's credential. */
  const certOf = async (b64: string) =>
    (await readKeyPackage(new Uint8Array(Buffer.from(b64, 'base64url')))).certificates[0]!;
  /** A device's stored packages: their thumbprint, as the database computes it from the certificate. */
  const stored = async (deviceId: string) => {
    const r = await repo.db.execute(
      sql`select cert_thumbprint as thumbprint from secure_chat.key_packages
          where device_id = ${deviceId} order by created_at`,
    );
    return (r as { rows: { thumbprint: string }[] }).rows;
  };

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    ca = await testCa();
    alice = await handset(users.alice);
    auth.add(alice);
    const directory: ChatDirectory = {
      find: (ref) => Promise.resolve({ userId: ref, institutionId: MINISTRY, active: true }),
      maySee: () => Promise.resolve(true),
    };
    const wake: ChatWake = {
      queued: () => undefined,
      keyPackagesLow: (deviceId, left) => void low.push({ deviceId, left }),
      removed: () => undefined,
    };
    repo = new KeyPackagesRepository(db.handle);
    keyPackages = new KeyPackagesService(repo, auth, directory, wake, config);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  beforeEach(() => void low.splice(0));

  it('with only packages under the replaced certificate the device is not offered, they go, and it is told', async () => {
    const before = await handset(users.bob);
    auth.add(before);
    const packages = [
      (await before.keyPackage()).bytes,
      (await before.keyPackage()).bytes,
      (await before.keyPackage({ lastResort: true })).bytes,
    ];
    expect(await keyPackages.upload(before.principal, packages)).toEqual({ stored: 3, oneTimeLeft: 2 });
    const after = await handset(users.bob, before.deviceId);
    auth.renew(before, after);

    expect((await keyPackages.claim(alice.principal, users.bob)).keyPackages).toEqual([]);
    expect(low).toEqual([{ deviceId: before.deviceId, left: 0 }]);
    expect(await stored(before.deviceId)).toEqual([]);

    // It publishes under its new certificate: that is what a claim hands out, and what its stock counts.
    const fresh = (await after.keyPackage()).bytes;
    expect(await keyPackages.upload(after.principal, [fresh])).toEqual({ stored: 1, oneTimeLeft: 1 });
    const claimed = await keyPackages.claim(alice.principal, users.bob);
    expect(claimed.keyPackages).toEqual([
      { deviceId: after.deviceId, keyPackage: Buffer.from(fresh).toString('base64url'), lastResort: false },
    ]);
  });

  it('hands out a package under the live certificate, never an older one under the replaced one', async () => {
    const before = await handset(users.bob);
    const after = await handset(users.bob, before.deviceId);
    auth.add(before);
    auth.renew(before, after);
    const live = [(await after.keyPackage()).bytes, (await after.keyPackage({ lastResort: true })).bytes];
    expect(await keyPackages.upload(after.principal, live)).toEqual({ stored: 2, oneTimeLeft: 1 });
    // Packages under the replaced certificate, stored earlier (before the renewal): the oldest of the device's.
    const old = [await before.keyPackage(), await before.keyPackage()];
    await repo.db.insert(keyPackagesTable).values(
      old.map((k, i) => ({
        ref: `before-${before.deviceId}-${i}`,
        deviceId: before.deviceId,
        userId: users.bob,
        institutionId: MINISTRY,
        lastResort: false,
        keyPackage: Buffer.from(k.bytes),
        certificate: Buffer.from(before.certificate),
        notAfter: new Date(Date.now() + 86_400_000),
        createdAt: new Date(Date.now() - 3_600_000),
      })),
    );
    // The database computes the thumbprint the server does (DevicePrincipal.certThumbprint).
    expect((await stored(before.deviceId)).map((r) => r.thumbprint)).toEqual([
      before.principal.certThumbprint,
      before.principal.certThumbprint,
      after.principal.certThumbprint,
      after.principal.certThumbprint,
    ]);

    const first = await keyPackages.claim(alice.principal, users.bob);
    const mine = first.keyPackages.filter((k) => k.deviceId === before.deviceId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.lastResort).toBe(false);
    expect(Buffer.from(await certOf(mine[0]!.keyPackage))).toEqual(Buffer.from(after.certificate));
    expect(low).toContainEqual({ deviceId: before.deviceId, left: 0 });
    // The replaced certificate's packages are gone; the next claim gets the live last-resort one.
    expect((await stored(before.deviceId)).map((r) => r.thumbprint)).toEqual([
      after.principal.certThumbprint,
    ]);
    const second = (await keyPackages.claim(alice.principal, users.bob)).keyPackages.filter(
      (k) => k.deviceId === before.deviceId,
    );
    expect(second).toEqual([
      { deviceId: after.deviceId, keyPackage: Buffer.from(live[1]!).toString('base64url'), lastResort: true },
    ]);
  });

  it('stores a package a node of the previous release inserts during a rolling upgrade, with its thumbprint', async () => {
    // Migrations run before the nodes roll (docs/operations.md): an old node inserts without cert_thumbprint.
    const device = await handset(users.bob);
    const kp = await device.keyPackage();
    await repo.db.execute(sql`insert into secure_chat.key_packages
        (ref, device_id, user_id, institution_id, last_resort, key_package, certificate, not_after)
      values (${`old-node-${device.deviceId}`}, ${device.deviceId}, ${users.bob}, ${MINISTRY}, false,
        ${Buffer.from(kp.bytes)}, ${Buffer.from(device.certificate)}, now() + interval '1 day')`);
    expect(await stored(device.deviceId)).toEqual([{ thumbprint: device.principal.certThumbprint }]);
  });
});
