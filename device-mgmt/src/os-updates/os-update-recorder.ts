import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  DATABASE,
  EVENT_BUS,
  LOGGER,
  type DatabaseHandle,
  type Db,
  type EventBus,
  type Logger,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { COMMAND_PARAMS, DEFAULT_EXPIRY_MINUTES } from '../commands/command-types.js';
import { CommandsRepository } from '../commands/commands.repository.js';
import { patchMonth } from '../attestation/policy.js';
import { DeviceOsUpdate, type DeviceOsUpdateEvent } from '../device-mgmt.events.js';
import type { DeviceRow } from '../devices/device-state.repository.js';
import { OS_ROLLOUTS, type OsRollouts, type OsUpdateTarget } from './os-rollouts.js';
import { rolloutCommandKey, type OsUpdateOutcome, type OsUpdateStep } from './os-update-step.js';
import { OsUpdatesRepository, type OsUpdateRow } from './os-updates.repository.js';

/** A target is checked before it becomes a command and events: a bad one is logged and offered to nobody. */
const Id = z.string().min(1).max(100);
const TargetSchema = COMMAND_PARAMS.update_os.required().extend({ rolloutId: Id, releaseId: Id });

/** Most outbox rows one publish pass sends. */
const PUBLISH_BATCH = 200;

/**
 * Records how devices fare with OS rollouts (rows in `device_os_updates`, events in the `os_update_events`
 * outbox, both in the caller's transaction) and publishes the events once committed. Without an OS_ROLLOUTS
 * binding (a node without hardened-os) nothing is ever offered and the check-in skips all of it.
 */
@Injectable()
export class OsUpdateRecorder {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: OsUpdatesRepository,
    private readonly commands: CommandsRepository,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(OS_ROLLOUTS) private readonly rollouts?: OsRollouts,
  ) {}

  /** Whether rollouts exist on this node at all. */
  get enabled(): boolean {
    return this.rollouts !== undefined;
  }

  /** hardened-os's target for the device; a failing port is logged and means no rollout (the check-in goes on). */
  async targetFor(row: DeviceRow, osBuild: string): Promise<OsUpdateTarget | null> {
    if (!this.rollouts) return null;
    let target: OsUpdateTarget | null;
    try {
      target = await this.rollouts.targetFor({
        id: row.id,
        institutionId: row.institutionId,
        model: row.model,
        osBuild,
      });
    } catch (err) {
      this.logger.error({ err, deviceId: row.id }, 'the OS rollouts port failed: no update offered');
      return null;
    }
    if (target && !TargetSchema.safeParse(target).success) {
      this.logger.error(
        { deviceId: row.id, target },
        'the OS rollouts port named an invalid release: ignored',
      );
      return null;
    }
    return target;
  }

  /**
   * Applies a check-in's step in `tx` (the device row is locked): the offer first inserts the rollout row, so
   * of two check-ins racing only one queues the command; moves are conditional on the state they leave.
   * Returns the outbox ids to publish after commit.
   */
  async apply(device: DeviceRow, step: OsUpdateStep, now: Date, tx: Db): Promise<string[]> {
    const ids: string[] = [];
    if (step.outcome) ids.push(...(await this.decide(device.id, step.outcome, now, tx)));
    if (step.offer && step.renews) await this.renew(device, step.offer, step.renews, now, tx);
    else if (step.offer) ids.push(...(await this.offer(device, step.offer, now, tx)));
    return ids;
  }

  /** An update_os command of a rollout was acknowledged failed: that rollout failed for the device. */
  async commandFailed(
    deviceId: string,
    rolloutId: string,
    detail: string | undefined,
    now: Date,
    tx: Db,
  ): Promise<string[]> {
    const outcome: OsUpdateOutcome = {
      rolloutId,
      from: 'offered',
      to: 'failed',
      detail: detail ?? 'the handset reported the update failed',
    };
    return this.decide(deviceId, outcome, now, tx);
  }

  /**
   * The first attestation after an update that speaks to it decides the device's newest rollout (older ones
   * are settled): accepted with at least the release's patch level verifies it (later attestations no longer
   * concern the rollout); accepted with an older patch level, or refused for the boot or the patch level,
   * fails it. A refusal for anything else (a wrong challenge, a broken chain: what any handset can send on
   * purpose) decides nothing, so one handset cannot fail an update it installed. Publishes at once.
   */
  async attestationAfterUpdate(deviceId: string, attestation: AttestationAfterUpdate): Promise<void> {
    if (!this.enabled) return;
    const now = new Date();
    const ids = await this.database.db.transaction(async (tx) => {
      const newest = await this.repo.newest(deviceId, tx);
      if (newest?.state !== 'updated') return [];
      const row = await this.repo.find(deviceId, newest.rolloutId, tx);
      const decision = decideAfterUpdate(attestation, row?.securityPatchLevel ?? null);
      if (!decision) return [];
      const moved = await this.repo.move(
        deviceId,
        newest.rolloutId,
        ['updated'],
        decision.to,
        decision.detail,
        now,
        tx,
      );
      return moved && decision.to === 'failed' ? this.event(moved, 'failed', decision.detail, now, tx) : [];
    });
    await this.publish(ids);
  }

  /** Publishes outbox rows (these ids, or every one left unpublished before `olderThan`) and marks them sent. */
  async publish(ids: readonly string[] | null, olderThan: Date = new Date()): Promise<number> {
    if (ids !== null && ids.length === 0) return 0;
    let sent = 0;
    for (const row of await this.repo.unpublished(ids, olderThan, PUBLISH_BATCH)) {
      try {
        const data = row.data as DeviceOsUpdateEvent;
        await this.bus.publish(DeviceOsUpdate.create(data, { id: row.id, now: new Date(data.at) }));
        await this.repo.markPublished(row.id, new Date());
        sent++;
      } catch (err) {
        // Left unpublished: the relay sends it again (same id, so a durable consumer sees it once).
        this.logger.error({ err, eventId: row.id }, 'publishing an OS update event failed');
      }
    }
    return sent;
  }

  private async decide(deviceId: string, o: OsUpdateOutcome, now: Date, tx: Db): Promise<string[]> {
    const moved = await this.repo.move(deviceId, o.rolloutId, [o.from], o.to, o.detail ?? null, now, tx);
    return moved ? this.event(moved, o.to, o.detail, now, tx) : [];
  }

  /**
   * The device's command for this rollout expired unacknowledged: a new one, on the same rollout row. No event:
   * hardened-os has the offer on record already, and the device stays pending there until a result.
   */
  private async renew(
    device: DeviceRow,
    target: OsUpdateTarget,
    expiredCommandId: string,
    now: Date,
    tx: Db,
  ): Promise<void> {
    const row = await this.repo.renew(device.id, target.rolloutId, expiredCommandId, now, tx);
    if (!row) return;
    const command = await this.queue(device, target, rolloutCommandKey(target.rolloutId, now), now, tx);
    if (command) await this.repo.linkCommand(device.id, target.rolloutId, command.id, tx);
    this.logger.info(
      { deviceId: device.id, rolloutId: target.rolloutId, expiredCommandId },
      'OS update offered again: the previous update_os command expired unacknowledged',
    );
  }

  private async queue(device: DeviceRow, target: OsUpdateTarget, key: string, now: Date, tx: Db) {
    return (
      (await this.commands.insert(
        {
          deviceId: device.id,
          institutionId: device.institutionId,
          type: 'update_os',
          params: {
            version: target.version,
            buildId: target.buildId,
            fingerprint: target.fingerprint,
            securityPatchLevel: target.securityPatchLevel,
          },
          idempotencyKey: key,
          createdBy: `rollout:${target.rolloutId}`,
          createdByName: 'OS rollout',
          createdAt: now,
          expiresAt: new Date(now.getTime() + DEFAULT_EXPIRY_MINUTES * 60_000),
        },
        tx,
      )) ?? (await this.commands.byKey(device.id, key, tx))
    );
  }

  private async offer(device: DeviceRow, target: OsUpdateTarget, now: Date, tx: Db): Promise<string[]> {
    const row = await this.repo.offer(
      {
        deviceId: device.id,
        rolloutId: target.rolloutId,
        institutionId: device.institutionId,
        releaseId: target.releaseId,
        buildId: target.buildId,
        securityPatchLevel: target.securityPatchLevel,
        offeredAt: now,
        changedAt: now,
      },
      tx,
    );
    if (!row) return [];
    const command = await this.queue(device, target, rolloutCommandKey(target.rolloutId), now, tx);
    if (command) await this.repo.linkCommand(device.id, target.rolloutId, command.id, tx);
    return this.event(row, 'offered', undefined, now, tx);
  }

  private async event(
    row: OsUpdateRow,
    outcome: DeviceOsUpdateEvent['outcome'],
    detail: string | undefined,
    now: Date,
    tx: Db,
  ): Promise<string[]> {
    const data: DeviceOsUpdateEvent = {
      deviceId: row.deviceId,
      institutionId: row.institutionId,
      rolloutId: row.rolloutId,
      releaseId: row.releaseId,
      outcome,
      ...(detail === undefined ? {} : { detail: detail.slice(0, 1000) }),
      at: now.toISOString(),
    };
    // Validated now, in the transaction: a payload the schema refuses must not sit in the outbox forever.
    DeviceOsUpdate.create(data);
    const id = await this.repo.addEvent(
      { deviceId: row.deviceId, rolloutId: row.rolloutId, outcome, data, createdAt: now },
      tx,
    );
    return id ? [id] : [];
  }
}

/** What the attestation after an update showed: refused with its reason codes, or accepted with its facts. */
export type AttestationAfterUpdate =
  { refused: readonly string[] } | { accepted: { osPatchLevel: number | null } };

/** Refusal reasons that speak to the OS the handset booted after its update (the rest decide nothing). */
const OS_REFUSALS: ReadonlySet<string> = new Set([
  'BOOT_STATE',
  'BOOT_KEY_UNKNOWN',
  'BOOT_KEY_COMPROMISED',
  'DEVICE_UNLOCKED',
  'PATCH_LEVEL',
]);

/** Pure: what the attestation after an update decides of it (null: nothing, a later attestation will). */
export function decideAfterUpdate(
  a: AttestationAfterUpdate,
  releasePatchLevel: string | null,
): { to: 'verified'; detail: null } | { to: 'failed'; detail: string } | null {
  if ('refused' in a) {
    const os = a.refused.filter((r) => OS_REFUSALS.has(r));
    return os.length === 0
      ? null
      : { to: 'failed', detail: `attestation after the update refused: ${os.join(', ')}` };
  }
  const wanted = releasePatchLevel ? Number(releasePatchLevel.slice(0, 7).replace('-', '')) : null;
  const attested = a.accepted.osPatchLevel === null ? null : patchMonth(a.accepted.osPatchLevel);
  if (wanted !== null && Number.isFinite(wanted) && (attested === null || attested < wanted))
    return {
      to: 'failed',
      detail: `the attested OS patch level (${attested === null ? 'none' : monthText(attested)}) is older than the release's (${monthText(wanted)})`,
    };
  return { to: 'verified', detail: null };
}

const monthText = (yyyymm: number): string =>
  `${Math.floor(yyyymm / 100)}-${String(yyyymm % 100).padStart(2, '0')}`;
