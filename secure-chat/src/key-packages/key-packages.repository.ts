import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, count, desc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { claimedKeyPackages, keyPackages } from '../delivery/delivery.schema.js';

export type NewKeyPackage = typeof keyPackages.$inferInsert;
/** A device and one certificate it published KeyPackages under (by thumbprint). */
export type DeviceCertificate = { deviceId: string; certThumbprint: string };

/** KeyPackages at rest: insert, count, claim (one per device, one-time ones consumed). */
@Injectable()
export class KeyPackagesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): DatabaseHandle['db'] {
    return this.database.db;
  }

  /**
   * Inserts the packages; a ref already stored is skipped. A new last-resort package replaces the old one, and
   * the device's packages under any other certificate than `live`, the one they are published under, go (a
   * renewal replaced it: they are never handed out).
   */
  async insert(live: DeviceCertificate, rows: readonly NewKeyPackage[], tx: Db): Promise<number> {
    if (rows.length === 0) return 0;
    await this.dropSuperseded(live, tx);
    const lastResort = rows.find((r) => r.lastResort);
    if (lastResort)
      await tx
        .delete(keyPackages)
        .where(and(eq(keyPackages.deviceId, lastResort.deviceId), eq(keyPackages.lastResort, true)));
    const inserted = await tx
      .insert(keyPackages)
      .values([...rows])
      .onConflictDoNothing({ target: keyPackages.ref })
      .returning({ ref: keyPackages.ref });
    return inserted.length;
  }

  /** One-time packages a device has left under its live certificate (expired ones not counted). */
  async oneTimeLeft(live: DeviceCertificate, now: Date, tx: Db = this.db): Promise<number> {
    const [row] = await tx
      .select({ n: count() })
      .from(keyPackages)
      .where(
        and(underCertificate(live), eq(keyPackages.lastResort, false), sql`${keyPackages.notAfter} > ${now}`),
      );
    return row?.n ?? 0;
  }

  /**
   * For each device, under its live certificate only: one unexpired one-time package, locked and deleted (SKIP
   * LOCKED: two claims never take the same one), else its last-resort package, kept.
   */
  async claim(devices: readonly DeviceCertificate[], now: Date, tx: Db, claimedBy?: string) {
    const out = new Map<string, { ref: string; keyPackage: Buffer; lastResort: boolean; notAfter: Date }>();
    for (const live of devices) {
      const { deviceId } = live;
      const [row] = await tx
        .select({ ref: keyPackages.ref, keyPackage: keyPackages.keyPackage, notAfter: keyPackages.notAfter })
        .from(keyPackages)
        .where(
          and(
            underCertificate(live),
            eq(keyPackages.lastResort, false),
            sql`${keyPackages.notAfter} > ${now}`,
          ),
        )
        .orderBy(asc(keyPackages.createdAt))
        .limit(1)
        .for('update', { skipLocked: true });
      if (row) {
        await tx.delete(keyPackages).where(eq(keyPackages.ref, row.ref));
        out.set(deviceId, { ...row, lastResort: false });
        continue;
      }
      const [kept] = await tx
        .select({ ref: keyPackages.ref, keyPackage: keyPackages.keyPackage, notAfter: keyPackages.notAfter })
        .from(keyPackages)
        .where(
          and(
            underCertificate(live),
            eq(keyPackages.lastResort, true),
            sql`${keyPackages.notAfter} > ${now}`,
          ),
        )
        .limit(1);
      if (kept) out.set(deviceId, { ...kept, lastResort: true });
    }
    const handedOut = [...out.values()].map(({ ref, lastResort, notAfter }) => ({
      ref,
      lastResort,
      notAfter,
    }));
    if (claimedBy && handedOut.length)
      await tx
        .insert(claimedKeyPackages)
        .values(handedOut.map((k) => ({ ...k, claimedBy })))
        .onConflictDoUpdate({
          target: [claimedKeyPackages.ref, claimedKeyPackages.claimedBy],
          set: { claimedAt: now },
        });
    return out;
  }

  /** Of these KeyPackageRefs, those `claimedBy` was handed out and that are unexpired (read only, no lock). */
  async claimedAmong(refs: readonly string[], claimedBy: string, now: Date): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const rows = await this.db
      .select({ ref: claimedKeyPackages.ref })
      .from(claimedKeyPackages)
      .where(
        and(
          inArray(claimedKeyPackages.ref, [...refs]),
          eq(claimedKeyPackages.claimedBy, claimedBy),
          sql`${claimedKeyPackages.notAfter} > ${now}`,
        ),
      );
    return new Set(rows.map((r) => r.ref));
  }

  /**
   * Of these KeyPackageRefs a commit adds, those `claimedBy` was handed out and that are unexpired; the
   * one-time ones among them are used up (deleted in the commit's transaction).
   */
  async takeClaimed(refs: readonly string[], claimedBy: string, now: Date, tx: Db): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const mine = and(
      inArray(claimedKeyPackages.ref, [...refs]),
      eq(claimedKeyPackages.claimedBy, claimedBy),
      sql`${claimedKeyPackages.notAfter} > ${now}`,
    );
    const rows = await tx
      .select({ ref: claimedKeyPackages.ref })
      .from(claimedKeyPackages)
      .where(mine)
      .for('update');
    await tx.delete(claimedKeyPackages).where(and(mine, eq(claimedKeyPackages.lastResort, false)));
    return new Set(rows.map((r) => r.ref));
  }

  /**
   * The certificates an official's devices hold unexpired packages under (one row per device and certificate,
   * with its newest package's time): a renewal leaves a device with two until one of them is dropped.
   */
  async certificatesOf(userId: string, now: Date) {
    return this.db
      .selectDistinctOn([keyPackages.deviceId, keyPackages.certThumbprint], {
        deviceId: keyPackages.deviceId,
        certThumbprint: keyPackages.certThumbprint,
        certificate: keyPackages.certificate,
        newest: keyPackages.createdAt,
      })
      .from(keyPackages)
      .where(and(eq(keyPackages.userId, userId), sql`${keyPackages.notAfter} > ${now}`))
      .orderBy(asc(keyPackages.deviceId), asc(keyPackages.certThumbprint), desc(keyPackages.createdAt));
  }

  /** Drops the packages a device published under this certificate (a renewal replaced it). */
  async dropUnder(stale: readonly DeviceCertificate[], tx: Db): Promise<void> {
    if (stale.length) await tx.delete(keyPackages).where(or(...stale.map(underCertificate)));
  }

  /** Drops the device's packages under any certificate but this live one (a renewal replaced it). */
  async dropSuperseded(live: DeviceCertificate, tx: Db): Promise<void> {
    await tx
      .delete(keyPackages)
      .where(
        and(eq(keyPackages.deviceId, live.deviceId), ne(keyPackages.certThumbprint, live.certThumbprint)),
      );
  }

  /**
   * Drops a device's packages (the device is removed from chat). Expired ones go with the retention sweep
   * (ChatPolicyRepository.purgeKeyPackages).
   */
  async deleteForDevices(deviceIds: readonly string[], tx: Db): Promise<void> {
    if (deviceIds.length) await tx.delete(keyPackages).where(inArray(keyPackages.deviceId, [...deviceIds]));
  }
}

const underCertificate = (live: DeviceCertificate) =>
  and(eq(keyPackages.deviceId, live.deviceId), eq(keyPackages.certThumbprint, live.certThumbprint));
