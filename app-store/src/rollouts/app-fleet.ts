/**
 * Port: the handsets app-store installs apps on, and how they fared. device-mgmt owns devices, their reports
 * and the command queue; the composition root (server/) binds this port to device-mgmt's `AppFleetService`, so
 * app-store imports nothing of device-mgmt. A node serving app-store without device-mgmt binds nothing: there
 * are catalogues but no installs (rollouts refuse to start with `fleet_unavailable`).
 *
 * Installs are device-mgmt commands (`install_app`, `uninstall_app`), delivered at check-in and acknowledged
 * by the handset. Every command app-store queues carries an idempotency key of its own making (at most 200
 * characters, `app:` first); the same key for the same device never makes a second command, so a
 * reconciliation may queue the same wish again and again.
 */

/** What a handset says of one installed app at check-in (the store app counts its crashes since install). */
export type FleetApp = {
  readonly package: string;
  readonly versionCode: number;
  /** Crashes of this version the handset reported (0 when it reported none). */
  readonly crashes: number;
};

export type FleetDevice = {
  readonly id: string;
  readonly institutionId: string;
  /** The apps the handset last reported (empty before its first check-in). */
  readonly apps: readonly FleetApp[];
  /** Its latest (re-)attestation was refused, or its compliance names an attestation reason. */
  readonly attestationFailed: boolean;
};

/** The parameters of an install command: the handset installs exactly this APK, from its verified catalogue. */
export type InstallAppParams = {
  readonly package: string;
  readonly versionCode: number;
  /** Lower-case hex SHA-256 of the APK (the catalogue's `apkSha256`; the APK is fetched by it). */
  readonly apkSha256: string;
};

export type FleetCommand =
  | {
      readonly deviceId: string;
      readonly type: 'install_app';
      readonly params: InstallAppParams;
      readonly key: string;
    }
  | {
      readonly deviceId: string;
      readonly type: 'uninstall_app';
      /** The version removed: a handset running another version of the package keeps it (and fails the command). */
      readonly params: { readonly package: string; readonly versionCode: number };
      readonly key: string;
    };

export type FleetCommandState = 'queued' | 'delivered' | 'succeeded' | 'failed' | 'expired' | 'cancelled';

export type FleetCommandOutcome = {
  readonly deviceId: string;
  readonly key: string;
  readonly state: FleetCommandState;
  /** The handset's reason when it failed (a stable code first, e.g. `apk_signer_mismatch: ...`). */
  readonly detail: string | null;
};

/** Most devices one `devices` call returns, and most commands one `queue` call takes. */
export const FLEET_PAGE = 1_000;

export type AppFleet = {
  /**
   * The live (active) devices of an institution, ordered by id, at most FLEET_PAGE after `afterId`
   * (keyset paging: call again with the last id until fewer come back).
   */
  devices(institutionId: string, afterId?: string): Promise<FleetDevice[]>;
  /**
   * Queues the commands (at most FLEET_PAGE) in one transaction, as `actor` (name shown in the device's command
   * history); a command whose key the device already has is skipped. Returns how many were new. Devices that
   * got a new command are nudged to check in (push), best effort.
   */
  queue(commands: readonly FleetCommand[], actor: { id: string; name: string }): Promise<number>;
  /** The commands whose key starts with `keyPrefix`, newest state of each (at most one per device and key). */
  outcomes(keyPrefix: string): Promise<FleetCommandOutcome[]>;
  /**
   * Cancels the open commands whose key starts with `keyPrefix` (a halted rollout's installs, a killed
   * version's), with `reason` as their detail; returns how many. Open means `queued` and also `delivered` but
   * not acknowledged — device-mgmt's operator cancel follows the same rule: a check-in delivers neither again,
   * and what a handset is already installing cannot be stopped from here either way, so cancelling it costs
   * nothing and stops the redelivery that follows a lost reply; if the handset did run it, its acknowledgement
   * replaces the cancel with what happened (succeeded or failed), so the outcome stays true. Expired, failed
   * and succeeded commands are left as they are. A cancelled key stays taken: `queue` skips it.
   */
  cancel(keyPrefix: string, reason: string): Promise<number>;
};

export const APP_FLEET = Symbol.for('pakawaaz.app-store.AppFleet');
