import { Inject, Injectable, Optional } from '@nestjs/common';
import { DATABASE, LOGGER, type DatabaseHandle, type Logger } from '@pakawaaz/platform';
import { z } from 'zod';
import { APP_FLEET_PARAMS, DEFAULT_EXPIRY_MINUTES } from '../commands/command-types.js';
import type { NewCommandRow } from '../commands/commands.repository.js';
import { DEVICE_PUSH, type DevicePush } from '../devices/device-ports.js';
import {
  APP_FLEET_KEY_MAX,
  APP_FLEET_PAGE,
  appsOf,
  attestationFailed,
  isAppFleetKey,
  prefixEnd,
  type AppFleetCommand,
  type AppFleetDevice,
  type AppFleetOutcome,
} from './app-fleet.js';
import { AppFleetRepository } from './app-fleet.repository.js';

const DeviceId = z.uuid();
/** Longest cancel reason (a rollout's halt reason is at most 500 characters, with a short lead). */
const CANCEL_REASON_MAX = 1_000;
const Actor = z.object({ id: z.string().min(1).max(APP_FLEET_KEY_MAX), name: z.string().min(1).max(200) });

/**
 * The app store's installs on handsets (app-store's APP_FLEET port, bound by the server): the live devices of
 * an institution with the apps they last reported, install and uninstall commands queued under the store's
 * own idempotency keys, and those commands' outcomes.
 *
 * Internal: these methods are called by another domain through the port, never by a Principal — they are not
 * routes and check no role or scope (the app store decides who may roll out what, and to which institution).
 * What they are given was built by that code, so a malformed argument is a programming error (a plain Error),
 * not a refusal with a code.
 */
@Injectable()
export class AppFleetService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: AppFleetRepository,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(DEVICE_PUSH) private readonly push?: DevicePush,
  ) {}

  /**
   * Internal (the APP_FLEET port). The active devices of an institution, by id, at most APP_FLEET_PAGE after
   * `afterId` (keyset paging): the apps of each one's last check-in (none before its first) with the crashes
   * it counted, and whether its compliance names an attestation reason (ATTESTATION_REASONS). Lost, wiped and
   * retired handsets are left out: nothing is installed on them.
   */
  async devices(institutionId: string, afterId?: string): Promise<AppFleetDevice[]> {
    if (institutionId.length === 0) throw new Error('app fleet: an institution id is required');
    if (afterId !== undefined && !DeviceId.safeParse(afterId).success)
      throw new Error(`app fleet: afterId must be a device id (got ${JSON.stringify(afterId)})`);
    const rows = await this.repo.activePage(institutionId, afterId, APP_FLEET_PAGE);
    return rows.map((r) => ({
      id: r.id,
      institutionId,
      apps: appsOf(r.apps),
      attestationFailed: attestationFailed(r.complianceReasons),
    }));
  }

  /**
   * Internal (the APP_FLEET port). Queues the commands (at most APP_FLEET_PAGE) in one transaction, each under
   * its key for its device (`app:` first, at most 200 characters); a key the device already has, and a device
   * that is not active, are skipped. Returns how many commands are new; their devices are pushed to check in
   * (best effort: a failed push leaves them to their interval). The whole call is refused, nothing queued, if
   * any command is malformed. `actor` is stored as the commands' creator (shown in the device's history).
   *
   * Commands live DEFAULT_EXPIRY_MINUTES (7 days), as an operator's do by default: a handset silent for a week
   * is long overdue, and the store sees `expired` and may queue it again under a new key. A halted rollout
   * withdraws what is still open with `cancel`.
   */
  async queue(commands: readonly AppFleetCommand[], actor: { id: string; name: string }): Promise<number> {
    if (commands.length > APP_FLEET_PAGE)
      throw new Error(`app fleet: at most ${APP_FLEET_PAGE} commands per call (got ${commands.length})`);
    const by = Actor.safeParse(actor);
    if (!by.success) throw new Error(`app fleet: invalid actor: ${z.prettifyError(by.error)}`);
    const checked = commands.map(checkCommand);
    if (checked.length === 0) return 0;
    const now = new Date();
    const expiresAt = new Date(now.getTime() + DEFAULT_EXPIRY_MINUTES * 60_000);
    const woken = await this.database.db.transaction(async (tx) => {
      const live = await this.repo.activeInstitutions([...new Set(checked.map((c) => c.deviceId))], tx);
      const rows: NewCommandRow[] = checked.flatMap((c) =>
        live.has(c.deviceId)
          ? [
              {
                deviceId: c.deviceId,
                institutionId: live.get(c.deviceId) ?? null,
                type: c.type,
                params: c.params,
                idempotencyKey: c.key,
                createdBy: by.data.id,
                createdByName: by.data.name,
                createdAt: now,
                expiresAt,
              },
            ]
          : [],
      );
      return this.repo.insertNew(rows, tx);
    });
    await this.wake([...new Set(woken)]);
    return woken.length;
  }

  /**
   * Internal (the APP_FLEET port). Every command whose key starts with `keyPrefix` (itself `app:` first): its
   * device, key, state — `expired` for one still open past its expiry, before the sweep marks it — and the
   * handset's detail when it acknowledged one. A range scan of the keys' index, however many devices.
   */
  async outcomes(keyPrefix: string): Promise<AppFleetOutcome[]> {
    if (!isAppFleetKey(keyPrefix))
      throw new Error(
        `app fleet: a key prefix starts 'app:' and has at most ${APP_FLEET_KEY_MAX} characters`,
      );
    const now = Date.now();
    const rows = await this.repo.byKeyRange(keyPrefix, prefixEnd(keyPrefix));
    return rows.map((r) => ({
      deviceId: r.deviceId,
      key: r.key,
      state:
        (r.state === 'queued' || r.state === 'delivered') && r.expiresAt.getTime() <= now
          ? 'expired'
          : r.state,
      detail: r.result?.detail ?? null,
    }));
  }

  /**
   * Internal (the APP_FLEET port). Cancels the open commands whose key starts with `keyPrefix` (`app:` first):
   * queued ones, and delivered ones not acknowledged yet — the rule of an operator's cancel (CommandsService):
   * a check-in delivers neither again, and a handset that already received one may still run it, in which
   * case its acknowledgement, recorded as for any delivered command, replaces the cancel with what happened.
   * Expired ones are left as they are. `reason` is the commands' result detail (shown in the device's history).
   * One statement, a range of the keys' index. Returns how many were cancelled.
   */
  async cancel(keyPrefix: string, reason: string): Promise<number> {
    if (!isAppFleetKey(keyPrefix))
      throw new Error(
        `app fleet: a key prefix starts 'app:' and has at most ${APP_FLEET_KEY_MAX} characters`,
      );
    if (reason.length === 0 || reason.length > CANCEL_REASON_MAX)
      throw new Error(`app fleet: a cancel reason has 1 to ${CANCEL_REASON_MAX} characters`);
    const cancelled = await this.repo.cancelKeyRange(keyPrefix, prefixEnd(keyPrefix), reason, new Date());
    if (cancelled > 0)
      this.logger.info({ keyPrefix, commands: cancelled, reason }, 'app store commands cancelled');
    return cancelled;
  }

  private async wake(deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length === 0) return;
    try {
      await this.push?.notify(deviceIds);
    } catch (err) {
      // Best effort: the handsets check in on their interval anyway.
      this.logger.warn({ err, devices: deviceIds.length }, 'push to devices with new app commands failed');
    }
  }
}

/** The command as stored: its parameters as the type's schema outputs them. */
function checkCommand(c: AppFleetCommand): {
  deviceId: string;
  type: AppFleetCommand['type'];
  key: string;
  params: Record<string, unknown>;
} {
  if (!DeviceId.safeParse(c.deviceId).success)
    throw new Error(`app fleet: ${JSON.stringify(c.deviceId)} is not a device id`);
  if (typeof c.key !== 'string' || !isAppFleetKey(c.key))
    throw new Error(
      `app fleet: key ${JSON.stringify(c.key)} must start 'app:' and have at most ${APP_FLEET_KEY_MAX} characters`,
    );
  const schema = (APP_FLEET_PARAMS as Record<string, z.ZodType<Record<string, unknown>> | undefined>)[c.type];
  if (!schema) throw new Error(`app fleet: ${JSON.stringify(c.type)} is not an app command`);
  const params = schema.safeParse(c.params);
  if (!params.success)
    throw new Error(
      `app fleet: invalid ${c.type} parameters for key ${c.key}: ${z.prettifyError(params.error)}`,
    );
  return { deviceId: c.deviceId, type: c.type, key: c.key, params: params.data };
}
