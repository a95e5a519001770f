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
    if (step.offer) ids.push(...(await this.offer(device, step.offer, now, tx)));
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
   * The first attestation after an update decides it: accepted verifies the update (later attestations no
   * longer concern the rollout), refused fails it with the refusal's reasons. Publishes at once.
   */
  async attestationAfterUpdate(deviceId: string, refused: readonly string[] | null): Promise<void> {
    if (!this.enabled) return;
    const now = new Date();
    const ids = await this.database.db.transaction(async (tx) => {
      const to = refused === null ? 'verified' : 'failed';
      const detail = refused === null ? null : `attestation after the update refused: ${refused.join(', ')}`;
      const moved = await this.repo.move(deviceId, null, ['updated'], to, detail, now, tx);
      return moved && to === 'failed' ? this.event(moved, 'failed', detail ?? undefined, now, tx) : [];
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

  private async offer(device: DeviceRow, target: OsUpdateTarget, now: Date, tx: Db): Promise<string[]> {
    const row = await this.repo.offer(
      {
        deviceId: device.id,
        rolloutId: target.rolloutId,
        institutionId: device.institutionId,
        releaseId: target.releaseId,
        buildId: target.buildId,
        offeredAt: now,
        changedAt: now,
      },
      tx,
    );
    if (!row) return [];
    const key = rolloutCommandKey(target.rolloutId);
    const command =
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
      )) ?? (await this.commands.byKey(device.id, key, tx));
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
