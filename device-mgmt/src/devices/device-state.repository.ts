import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, eq, gt, inArray, isNull, lt, lte, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { deviceCertificates } from '../device-ca/device-ca.schema.js';
import { devices } from './devices.schema.js';

export type DeviceRow = typeof devices.$inferSelect;

/** Which devices one policy of the compliance sweep covers: a group's, an institution's, or the rest. */
export type SweepScope =
  | { groups: readonly string[] }
  | { institutions: readonly string[]; exceptGroups: readonly string[] }
  | { except: readonly string[]; exceptGroups: readonly string[] };
export type DeviceUpdate = Partial<
  Pick<
    DeviceRow,
    | 'state'
    | 'compliance'
    | 'complianceReasons'
    | 'nonCompliantSince'
    | 'lastCheckInAt'
    | 'lastReport'
    | 'appliedPolicyVersion'
    | 'imsi'
  >
>;

/** The device rows as check-in, commands and compliance read and change them (enrolment owns their birth). */
@Injectable()
export class DeviceStateRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async find(id: string, tx: Db = this.database.db): Promise<DeviceRow | undefined> {
    const rows = await tx.select().from(devices).where(eq(devices.id, id)).limit(1);
    return rows[0];
  }

  /** The row, locked until the transaction ends: one check-in or command at a time decides a transition. */
  /** Whether the certificate (base64url SHA-256 of its DER) has been revoked (a certificate not ours: false). */
  async certificateRevoked(thumbprint: string, tx: Db): Promise<boolean> {
    const rows = await tx
      .select({ revokedAt: deviceCertificates.revokedAt })
      .from(deviceCertificates)
      .where(eq(deviceCertificates.thumbprint, thumbprint))
      .limit(1);
    return rows[0]?.revokedAt != null;
  }

  async lock(id: string, tx: Db): Promise<DeviceRow | undefined> {
    const rows = await tx.select().from(devices).where(eq(devices.id, id)).limit(1).for('update');
    return rows[0];
  }

  async update(id: string, patch: DeviceUpdate, tx: Db = this.database.db): Promise<void> {
    await tx
      .update(devices)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(devices.id, id));
  }

  /** Moves a live device to a final state; false when it already was in one. */
  async finish(id: string, state: 'wiped' | 'retired', tx: Db): Promise<boolean> {
    const rows = await tx
      .update(devices)
      .set({ state, updatedAt: new Date() })
      .where(and(eq(devices.id, id), inArray(devices.state, ['active', 'lost'])))
      .returning({ id: devices.id });
    return rows.length > 0;
  }

  /**
   * Live devices of a policy scope whose compliance time alone is about to change: grace run out, evidence
   * older than `staleBefore` or silence since `silentBefore` not yet among their reasons — so a device whose
   * verdict would not change is not read again. `institutions`: those institutions' devices; `except`: every
   * device whose institution is not listed (the national policy's).
   */
  async sweepCandidates(
    scope: SweepScope,
    limits: { graceBefore: Date; staleBefore: Date; silentBefore: Date },
    limit: number,
    tx: Db = this.database.db,
  ): Promise<DeviceRow[]> {
    const outsideGroups = (except: readonly string[]): SQL | undefined =>
      except.length === 0 ? undefined : or(isNull(devices.groupId), notInArray(devices.groupId, [...except]));
    const inScope: SQL | undefined =
      'groups' in scope
        ? inArray(devices.groupId, [...scope.groups])
        : 'institutions' in scope
          ? and(inArray(devices.institutionId, [...scope.institutions]), outsideGroups(scope.exceptGroups))
          : and(
              scope.except.length === 0
                ? undefined
                : or(isNull(devices.institutionId), notInArray(devices.institutionId, [...scope.except])),
              outsideGroups(scope.exceptGroups),
            );
    const lacks = (reason: string) =>
      sql`not (${devices.complianceReasons} @> ${JSON.stringify([reason])}::jsonb)`;
    return tx
      .select()
      .from(devices)
      .where(
        and(
          inArray(devices.state, ['active', 'lost']),
          // Desktops neither attest nor check in: their standing is their certificate and the official's.
          eq(devices.kind, 'handset'),
          ne(devices.compliance, 'non_compliant'),
          inScope,
          or(
            and(eq(devices.compliance, 'grace'), lte(devices.nonCompliantSince, limits.graceBefore)),
            and(lt(devices.lastAttestedAt, limits.staleBefore), lacks('ATTESTATION_STALE')),
            and(
              lt(sql`coalesce(${devices.lastCheckInAt}, ${devices.enrolledAt})`, limits.silentBefore),
              lacks('CHECK_IN_OVERDUE'),
            ),
          ),
        ),
      )
      .limit(limit);
  }

  /**
   * Active and lost devices whose last attestation names this verified-boot key, by id after `afterId`
   * (keyset pages). A full scan of devices: run only when a key is marked compromised, which is rare.
   */
  async withBootKey(
    digest: string,
    afterId: string | null,
    limit: number,
    tx: Db = this.database.db,
  ): Promise<DeviceRow[]> {
    return tx
      .select()
      .from(devices)
      .where(
        and(
          inArray(devices.state, ['active', 'lost']),
          sql`lower(${devices.attestation} -> 'rootOfTrust' ->> 'verifiedBootKey') = ${digest.toLowerCase()}`,
          afterId === null ? undefined : gt(devices.id, afterId),
        ),
      )
      .orderBy(asc(devices.id))
      .limit(limit);
  }
}
