import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  LOGGER,
  requireInScope,
  type DatabaseHandle,
  type DevicePrincipal,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { DEVICE_PUSH, type DevicePush } from '../devices/device-ports.js';
import { DeviceStateRepository, type DeviceRow } from '../devices/device-state.repository.js';
import { CommandOutcomes, type Acknowledgement } from './command-outcomes.js';
import { DEFAULT_EXPIRY_MINUTES, type NewCommand } from './command-types.js';
import { Officials } from '../enrolment/officials.js';
import { commandView, directoryUserId, type CommandView } from './command-view.js';
import { CommandsRepository, type CommandRow } from './commands.repository.js';

export type CreatedCommand = { command: CommandView; created: boolean };
const HISTORY_LIMIT = 200;

/**
 * Operators queue commands for a handset of their institution; the handset receives them at its next check-in
 * (a push asks it to check in now) and acknowledges each. An idempotency key makes a retried request return
 * the command it already made.
 */
@Injectable()
export class CommandsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly commands: CommandsRepository,
    private readonly devices: DeviceStateRepository,
    private readonly outcomes: CommandOutcomes,
    private readonly audit: AuditService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(DEVICE_PUSH) private readonly push?: DevicePush,
    @Optional() private readonly officials?: Officials,
  ) {}

  async create(
    deviceId: string,
    input: NewCommand,
    by: Principal,
    requestId: string | null,
  ): Promise<CreatedCommand> {
    const device = await this.deviceInScope(deviceId, by);
    const params = input.params ?? {};
    const key = input.idempotencyKey;
    const existing = key === undefined ? undefined : await this.commands.byKey(deviceId, key);
    if (existing) return { command: sameCommand(existing, input.type, params), created: false };
    if (device.state !== 'active' && device.state !== 'lost')
      throw deviceMgmtError('device_not_active', `The device is ${device.state}: it takes no more commands.`);
    const created = await this.database.db.transaction(async (tx) => {
      const row = await this.commands.insert(
        {
          deviceId,
          institutionId: device.institutionId,
          type: input.type,
          params,
          idempotencyKey: key ?? randomUUID(),
          createdBy: `${by.actor.type}:${by.actor.id}`,
          createdByName: by.name,
          expiresAt: new Date(Date.now() + (input.expiresInMinutes ?? DEFAULT_EXPIRY_MINUTES) * 60_000),
        },
        tx,
      );
      if (!row) return undefined;
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.command.queued',
          target: `device:${deviceId}`,
          details: { commandId: row.id, type: row.type, params },
          requestId,
        },
        tx,
      );
      return row;
    });
    // A concurrent request with the same key won the insert: answer with its command.
    if (!created) {
      const winner = key === undefined ? undefined : await this.commands.byKey(deviceId, key);
      if (!winner) throw new Error('a command insert conflicted without an idempotency key');
      return { command: sameCommand(winner, input.type, params), created: false };
    }
    await this.wake(deviceId);
    return { command: commandView(created), created: true };
  }

  async list(deviceId: string, by: Principal): Promise<{ commands: CommandView[] }> {
    await this.deviceInScope(deviceId, by);
    await this.commands.expire(new Date(), deviceId);
    const rows = await this.commands.list(deviceId, HISTORY_LIMIT);
    const names = await this.creatorNames(rows);
    return { commands: rows.map((r) => commandView(r, names)) };
  }

  /**
   * The current display names of the people who made these commands, from identity's directory (one
   * lookup for the page). Unknown people, automation and the system keep the name stored with the command.
   */
  private async creatorNames(rows: readonly CommandRow[]): Promise<Map<string, string>> {
    const ids = rows.flatMap((r) => directoryUserId(r.createdBy) ?? []);
    if (!this.officials || ids.length === 0) return new Map();
    const people = await this.officials.describe(ids).catch((err: unknown) => {
      // The history still shows, with the names stored at creation.
      this.logger.warn(
        { err: { message: (err as Error).message } },
        'directory lookup for command history failed',
      );
      return new Map<string, { displayName: string }>();
    });
    return new Map(
      rows.flatMap((r) => {
        const person = people.get(directoryUserId(r.createdBy) ?? '');
        return person ? [[r.createdBy, person.displayName] as const] : [];
      }),
    );
  }

  /** Stops a command being delivered; one the handset already received may still have run (its ack says). */
  async cancel(
    deviceId: string,
    commandId: string,
    by: Principal,
    requestId: string | null,
  ): Promise<CommandView> {
    await this.deviceInScope(deviceId, by);
    return this.database.db.transaction(async (tx) => {
      const row = await this.commands.cancel(deviceId, commandId, tx);
      if (!row) {
        const current = await this.commands.find(deviceId, commandId, tx);
        if (!current) throw commandNotFound();
        throw deviceMgmtError('command_not_cancellable', `The command is already ${current.state}.`, {
          state: current.state,
        });
      }
      await this.audit.record(
        {
          actor: by.actor,
          action: 'device-mgmt.command.cancelled',
          target: `device:${deviceId}`,
          details: { commandId, type: row.type },
          requestId,
        },
        tx,
      );
      return commandView(row);
    });
  }

  /** The handset's acknowledgement of one of its own commands; repeating it changes nothing. */
  async acknowledge(device: DevicePrincipal, ack: Acknowledgement): Promise<CommandView> {
    const now = new Date();
    const { recorded, after } = await this.database.db.transaction((tx) =>
      this.outcomes.record(device.deviceId, [ack], now, tx),
    );
    await this.outcomes.settle(after);
    const row = recorded[0] ?? (await this.commands.find(device.deviceId, ack.commandId));
    if (!row) throw commandNotFound();
    if (!row.acknowledgedAt)
      throw deviceMgmtError('command_not_delivered', 'This command was not delivered to the device yet.');
    return commandView(row);
  }

  private async deviceInScope(deviceId: string, by: Principal): Promise<DeviceRow> {
    const device = await this.devices.find(deviceId);
    requireInScope(by, device?.institutionId, deviceNotFound);
    if (!device) throw deviceNotFound();
    return device;
  }

  private async wake(deviceId: string): Promise<void> {
    try {
      await this.push?.notify([deviceId]);
    } catch (err) {
      // Best effort: the handset checks in on its interval anyway.
      this.logger.warn({ err, deviceId }, 'push to the device failed');
    }
  }
}

function sameCommand(row: CommandRow, type: string, params: Record<string, unknown>): CommandView {
  if (row.type !== type || !sameJson(row.params, params))
    throw deviceMgmtError(
      'idempotency_key_reused',
      `This idempotency key already made a ${row.type} command with other parameters; use a new key.`,
      { commandId: row.id },
    );
  return commandView(row);
}

function sameJson(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = (o: Record<string, unknown>) => Object.keys(o).sort();
  return JSON.stringify(a, keys(a)) === JSON.stringify(b, keys(b));
}

export const deviceNotFound = () => deviceMgmtError('device_not_found', 'No such device.');
const commandNotFound = () => deviceMgmtError('command_not_found', 'No such command for this device.');
