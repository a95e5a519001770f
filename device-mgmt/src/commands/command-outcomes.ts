import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditService, LOGGER, type Db, type Logger } from '@pakawaaz/platform';
import { DEVICE_CERTIFICATES, type DeviceCertificates } from '../devices/device-ports.js';
import { DeviceStateRepository } from '../devices/device-state.repository.js';
import { rolloutOfCommandKey } from '../os-updates/os-update-step.js';
import { OsUpdateRecorder } from '../os-updates/os-update-recorder.js';
import { CommandsRepository, type CommandRow } from './commands.repository.js';

export type Acknowledgement = {
  commandId: string;
  state: 'succeeded' | 'failed';
  detail?: string | undefined;
};

/** What must happen once the acknowledging transaction has committed (OS update events: outbox ids to publish). */
export type AfterAck = { deviceId: string; revoke: 'wiped' | 'retired' | null; osEvents: string[] };

/**
 * A handset's acknowledgements, from the ack route or inside a check-in: the first acknowledgement of a
 * delivered command wins and later ones change nothing. A successful `wipe` makes the device `wiped`, a
 * successful `relinquish` makes it `retired` (final states); its certificates are then revoked. A rollout's
 * `update_os` acknowledged failed fails that rollout for the device (an OS update event).
 */
@Injectable()
export class CommandOutcomes {
  constructor(
    private readonly commands: CommandsRepository,
    private readonly devices: DeviceStateRepository,
    private readonly audit: AuditService,
    private readonly osUpdates: OsUpdateRecorder,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(DEVICE_CERTIFICATES) private readonly certificates?: DeviceCertificates,
  ) {}

  /** Records the acknowledgements in `tx`; those of unknown, undelivered or already acknowledged commands are skipped. */
  async record(deviceId: string, acks: readonly Acknowledgement[], now: Date, tx: Db) {
    const recorded: CommandRow[] = [];
    let revoke: AfterAck['revoke'] = null;
    const osEvents: string[] = [];
    for (const ack of acks) {
      const row = await this.commands.acknowledge(deviceId, ack.commandId, ack, now, tx);
      if (!row) continue;
      recorded.push(row);
      const rollout = row.type === 'update_os' ? rolloutOfCommandKey(row.idempotencyKey) : null;
      if (rollout && row.state === 'failed')
        osEvents.push(...(await this.osUpdates.commandFailed(deviceId, rollout, ack.detail, now, tx)));
      const final = row.state === 'succeeded' ? finalStateOf(row.type) : null;
      if (final && (await this.devices.finish(deviceId, final, tx))) {
        revoke = final;
        await this.audit.record(
          {
            actor: { type: 'device', id: deviceId },
            action: `device-mgmt.device.${final}`,
            target: `device:${deviceId}`,
            details: { commandId: row.id, commandType: row.type },
          },
          tx,
        );
      }
    }
    return { recorded, after: { deviceId, revoke, osEvents } satisfies AfterAck };
  }

  /**
   * Publishes the OS update events the acknowledgements decided (the outbox relay retries what fails here) and
   * revokes the certificates of a wiped or retired device, after the state is committed: the device port
   * already refuses it by its state, the CRL follows. A failure is logged (the state stands; revoke again
   * with the device's retire route).
   */
  async settle(after: AfterAck): Promise<void> {
    await this.osUpdates.publish(after.osEvents);
    if (!after.revoke) return;
    if (!this.certificates) {
      this.logger.warn({ deviceId: after.deviceId }, 'no device CA bound: certificates not revoked');
      return;
    }
    try {
      await this.certificates.revokeForDevice(after.deviceId, after.revoke);
    } catch (err) {
      this.logger.error({ err, deviceId: after.deviceId }, 'revoking the certificates of a device failed');
    }
  }
}

function finalStateOf(type: string): 'wiped' | 'retired' | null {
  if (type === 'wipe') return 'wiped';
  if (type === 'relinquish') return 'retired';
  return null;
}
