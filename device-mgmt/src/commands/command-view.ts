import type { CommandRow } from './commands.repository.js';

/** A command as operators (and the CLI) see it. */
export type CommandView = {
  id: string;
  deviceId: string;
  type: string;
  params: Record<string, unknown>;
  idempotencyKey: string;
  state: CommandRow['state'];
  /** `name` as it was when the command was made; `displayName` the person's current name in the directory. */
  createdBy: { id: string; name: string; displayName: string };
  createdAt: Date;
  expiresAt: Date;
  deliveredAt: Date | null;
  acknowledgedAt: Date | null;
  result: { detail?: string } | null;
};

/** A command as the handset receives it: what to do, nothing about who asked. */
export type DeliveredCommand = {
  id: string;
  type: string;
  params: Record<string, unknown>;
  createdAt: Date;
  expiresAt: Date;
};

/** `displayNames`: the directory's current names by `createdBy` (absent ones show the name stored with the row). */
export function commandView(row: CommandRow, displayNames?: ReadonlyMap<string, string>): CommandView {
  return {
    id: row.id,
    deviceId: row.deviceId,
    type: row.type,
    params: row.params,
    idempotencyKey: row.idempotencyKey,
    state: row.state,
    createdBy: {
      id: row.createdBy,
      name: row.createdByName,
      displayName: displayNames?.get(row.createdBy) ?? row.createdByName,
    },
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    deliveredAt: row.deliveredAt,
    acknowledgedAt: row.acknowledgedAt,
    result: row.result ?? null,
  };
}

export function deliveredCommand(row: CommandRow): DeliveredCommand {
  const { id, type, params, createdAt, expiresAt } = row;
  return { id, type, params, createdAt, expiresAt };
}

/** Actors the directory knows by their user id (`operator:<id>`, `official:<id>`); others keep their name. */
export function directoryUserId(createdBy: string): string | null {
  const m = /^(operator|official):(.+)$/.exec(createdBy);
  return m?.[2] ?? null;
}
