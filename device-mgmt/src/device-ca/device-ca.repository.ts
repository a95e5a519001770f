import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, gt, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { devices } from '../devices/devices.schema.js';
import { asVersion, nationalVersionOf, policyVersionOf } from '../policies/policy-versions.sql.js';
import { deviceCaCertificates, deviceCertificates } from './device-ca.schema.js';

export type CaCertificateRow = typeof deviceCaCertificates.$inferSelect;
export type DeviceCertificateRow = typeof deviceCertificates.$inferSelect;
export type NewDeviceCertificate = typeof deviceCertificates.$inferInsert;

/** What authenticating a device certificate needs, in one query: the certificate and its device. */
export type CertificateWithDevice = {
  serial: string;
  revokedAt: Date | null;
  revocationReason: string | null;
  deviceId: string;
  userId: string;
  institutionId: string | null;
  state: 'active' | 'lost' | 'wiped' | 'retired';
  compliance: 'compliant' | 'grace' | 'non_compliant';
  kind: 'handset' | 'desktop';
  /** A desktop's device policy versions in force (PoliciesService.atVersions); null for a handset. */
  policyVersion: number | null;
  nationalPolicyVersion: number | null;
};

@Injectable()
export class DeviceCaRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** The CA certificates still valid at `at`, newest first. */
  async caCertificates(at: Date): Promise<CaCertificateRow[]> {
    return this.database.db
      .select()
      .from(deviceCaCertificates)
      .where(gt(deviceCaCertificates.notAfter, at))
      .orderBy(desc(deviceCaCertificates.notAfter));
  }

  async addCaCertificate(row: typeof deviceCaCertificates.$inferInsert): Promise<void> {
    await this.database.db.insert(deviceCaCertificates).values(row);
  }

  async insert(row: NewDeviceCertificate, tx?: Db): Promise<void> {
    await (tx ?? this.database.db).insert(deviceCertificates).values(row);
  }

  /** Every device request (the guard's authenticator): a prepared statement, planned once per connection. */
  async byThumbprint(thumbprint: string): Promise<CertificateWithDevice | null> {
    this.thumbprintQuery ??= this.prepareByThumbprint();
    const [row] = await this.thumbprintQuery.execute({ thumbprint });
    return row ?? null;
  }

  private thumbprintQuery: ReturnType<typeof this.prepareByThumbprint> | undefined;

  private prepareByThumbprint() {
    return this.database.db
      .select({
        serial: deviceCertificates.serial,
        revokedAt: deviceCertificates.revokedAt,
        revocationReason: deviceCertificates.revocationReason,
        deviceId: devices.id,
        userId: devices.userId,
        institutionId: devices.institutionId,
        state: devices.state,
        compliance: devices.compliance,
        kind: devices.kind,
        // Only a desktop's: the policy decides whether it may be one (handsets' requests skip the lookups).
        policyVersion: sql<
          number | null
        >`case when ${devices.kind} = 'desktop' then ${policyVersionOf} end`.mapWith(asVersion),
        nationalPolicyVersion: sql<
          number | null
        >`case when ${devices.kind} = 'desktop' then ${nationalVersionOf} end`.mapWith(asVersion),
      })
      .from(deviceCertificates)
      .innerJoin(devices, eq(devices.id, deviceCertificates.deviceId))
      .where(eq(deviceCertificates.thumbprint, sql.placeholder('thumbprint')))
      .limit(1)
      .prepare('device_mgmt_certificate_by_thumbprint');
  }

  /** Whether the official has a live handset (active or lost) with a certificate valid at `now`. */
  async hasLiveDevice(userId: string, now: Date): Promise<boolean> {
    const [row] = await this.database.db
      .select({ id: devices.id })
      .from(devices)
      .innerJoin(deviceCertificates, eq(deviceCertificates.deviceId, devices.id))
      .where(
        and(
          eq(devices.userId, userId),
          eq(devices.kind, 'handset'),
          inArray(devices.state, ['active', 'lost']),
          isNull(deviceCertificates.revokedAt),
          gt(deviceCertificates.notAfter, now),
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  /** A certificate alone (a bot's: it has no device row). */
  async certificateByThumbprint(thumbprint: string): Promise<DeviceCertificateRow | null> {
    const [row] = await this.database.db
      .select()
      .from(deviceCertificates)
      .where(eq(deviceCertificates.thumbprint, thumbprint))
      .limit(1);
    return row ?? null;
  }

  async byThumbprintDer(thumbprint: string): Promise<Buffer | null> {
    const [row] = await this.database.db
      .select({ der: deviceCertificates.der })
      .from(deviceCertificates)
      .where(eq(deviceCertificates.thumbprint, thumbprint))
      .limit(1);
    return row?.der ?? null;
  }

  async bySerial(serial: string): Promise<DeviceCertificateRow | null> {
    const [row] = await this.database.db
      .select()
      .from(deviceCertificates)
      .where(eq(deviceCertificates.serial, serial))
      .limit(1);
    return row ?? null;
  }

  async ofDevice(deviceId: string): Promise<DeviceCertificateRow[]> {
    return this.database.db
      .select()
      .from(deviceCertificates)
      .where(eq(deviceCertificates.deviceId, deviceId))
      .orderBy(desc(deviceCertificates.issuedAt));
  }

  /** Revokes the device's live certificates (all, or all but `keep`); returns their serials. */
  async revokeForDevice(
    deviceId: string,
    reason: string,
    at: Date,
    tx?: Db,
    keep?: string,
  ): Promise<string[]> {
    const rows = await (tx ?? this.database.db)
      .update(deviceCertificates)
      .set({ revokedAt: at, revocationReason: reason })
      .where(
        and(
          eq(deviceCertificates.deviceId, deviceId),
          isNull(deviceCertificates.revokedAt),
          keep === undefined ? undefined : ne(deviceCertificates.serial, keep),
        ),
      )
      .returning({ serial: deviceCertificates.serial });
    return rows.map((r) => r.serial);
  }

  /** Revoked certificates not yet expired (expired ones leave the CRL). */
  async revokedUnexpired(at: Date): Promise<DeviceCertificateRow[]> {
    return this.database.db
      .select()
      .from(deviceCertificates)
      .where(and(isNotNull(deviceCertificates.revokedAt), gt(deviceCertificates.notAfter, at)));
  }
}
