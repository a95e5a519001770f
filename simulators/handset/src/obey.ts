import { createHash } from 'node:crypto';
import type { InstalledApp, VerifiedApp } from './app-installer.js';
import type { VerifiedUpdate } from './ota-client.js';

/**
 * What a simulated handset does with a command (pure): the handset's new state and the acknowledgement it
 * sends with its next check-in. A real agent would lock the screen, wipe user data and so on; the simulator
 * changes its state so tests and the NOC can see that it obeyed.
 */
export type HandsetState = {
  locked: boolean;
  /** Once wiped or relinquished the handset forgets its identity and stops checking in. */
  retired: boolean;
  lostMode: boolean;
  lastBootAt: string;
  apps: InstalledApp[];
  osBuild: string;
  /** The OS version and security patch ('YYYY-MM-DD') it runs; absent in a state saved before updates. */
  osVersion?: string;
  securityPatch?: string;
};

/** Lab faults a handset plays. */
export type HandsetFaults = {
  /** This handset's OS updates fail their install verification (see `failsUpdate`). */
  failUpdates?: boolean;
  /** Its apps installed from the store crash: every check-in reports one more crash of each. */
  crashApps?: boolean;
};

/** The detail a handset acknowledges a failed OS update with. */
export const UPDATE_VERIFICATION_FAILED = 'install verification failed';

export type DeviceCommand = { id: string; type: string; params?: Record<string, unknown> | null };

export type Acknowledgement = { commandId: string; state: 'succeeded' | 'failed'; detail?: string };

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function obey(
  state: HandsetState,
  command: DeviceCommand,
  now: Date,
  faults: HandsetFaults = {},
  /** For `update_os`: what the OTA client verified (ota-client.ts); nothing is installed without it. */
  ota?: VerifiedUpdate,
  /**
   * For `install_app`: the app installer's verdict (app-installer.ts). Absent only on a handset with no store
   * configured (no catalogue pins), which records the package as the command names it, as before the store.
   */
  app?: VerifiedApp,
): { state: HandsetState; ack: Acknowledgement } {
  const ok = (next: Partial<HandsetState>, detail?: string) => ({
    state: { ...state, ...next },
    ack: { commandId: command.id, state: 'succeeded' as const, ...(detail ? { detail } : {}) },
  });
  const params = command.params ?? {};
  switch (command.type) {
    case 'lock':
      return ok({ locked: true });
    case 'reboot':
      return ok({ lastBootAt: now.toISOString(), locked: true });
    case 'wipe':
    case 'relinquish':
      return ok({ retired: true, apps: [] });
    case 'locate':
      return ok({ lostMode: true });
    case 'install_app': {
      if (app) return installApp(state, command, app);
      const pkg = text(params['package']);
      if (!pkg) return failed(state, command, 'no package named');
      const versionCode = typeof params['versionCode'] === 'number' ? params['versionCode'] : 1;
      return ok({ apps: [...state.apps.filter((a) => a.package !== pkg), { package: pkg, versionCode }] });
    }
    case 'uninstall_app': {
      const pkg = text(params['package']);
      const installed = state.apps.find((a) => a.package === pkg);
      if (!pkg || !installed) return failed(state, command, 'not installed');
      // The store's kill switch names the version it removes: another version (a newer, good one) stays.
      const only = params['versionCode'];
      if (typeof only === 'number' && installed.versionCode !== only)
        return failed(
          state,
          command,
          `app_version_mismatch: ${pkg} ${installed.versionCode} is installed, not ${only}: kept`,
        );
      return ok({ apps: state.apps.filter((a) => a.package !== pkg) });
    }
    case 'update_os':
      return updateOs(state, command, now, faults, ota);
    case 'rotate_certificate':
    case 'reattest':
      // They need the network and the device key: SimulatedHandset's key upkeep (handset-upkeep.ts) obeys them.
      return failed(
        state,
        command,
        `${command.type} needs the device key: obeyed by the handset's key upkeep`,
      );
    default:
      return failed(state, command, `unknown command type ${command.type}`);
  }
}

/** Records a verified app installed (its signer too, for later upgrades), replacing the package's version. */
function installApp(state: HandsetState, command: DeviceCommand, app: VerifiedApp) {
  if (!app.ok) return failed(state, command, app.detail);
  const next = { ...state, apps: [...state.apps.filter((a) => a.package !== app.app.package), app.app] };
  return { state: next, ack: { commandId: command.id, state: 'succeeded' as const } };
}

/**
 * The apps as the next check-in reports them. With the lab fault `crashApps`, each app installed from the store
 * (it has an APK hash) has crashed once more since the last check-in; the count is of that version since it
 * was installed (an install starts it at 0). `crashes` is sent only when above 0.
 */
export function reportApps(
  apps: readonly InstalledApp[],
  faults: HandsetFaults = {},
): { apps: InstalledApp[]; report: { package: string; versionCode: number; crashes?: number }[] } {
  const next = apps.map((a) =>
    faults.crashApps && a.apkSha256 ? { ...a, crashes: (a.crashes ?? 0) + 1 } : { ...a },
  );
  return {
    apps: next,
    report: next.map((a) => ({
      package: a.package,
      versionCode: a.versionCode,
      ...(a.crashes ? { crashes: a.crashes } : {}),
    })),
  };
}

/**
 * Applies an OS update only once the OTA client verified its payload through TUF and the anti-downgrade rules;
 * the handset then reboots into the signed target's build, version and patch level (the signed metadata, not
 * the command, says what it runs). Otherwise it keeps its build and acknowledges `failed` with the reason. A
 * faulty lab handset fails after the download, as a broken install would.
 */
function updateOs(
  state: HandsetState,
  command: DeviceCommand,
  now: Date,
  faults: HandsetFaults,
  ota: VerifiedUpdate | undefined,
) {
  if (!ota) return failed(state, command, 'tuf: the update was not verified');
  if (!ota.ok) return failed(state, command, ota.detail);
  if (faults.failUpdates) return failed(state, command, UPDATE_VERIFICATION_FAILED);
  const next: HandsetState = {
    ...state,
    osBuild: ota.target.buildId,
    osVersion: ota.target.version,
    securityPatch: ota.target.securityPatchLevel,
    lastBootAt: now.toISOString(),
  };
  return { state: next, ack: { commandId: command.id, state: 'succeeded' as const } };
}

/**
 * Whether the handset with this id is among the `fraction` (0..1) whose OS updates fail: decided by a stable
 * hash of the id, so the same handsets fail on every run and a test can predict the failure rate.
 */
export function failsUpdate(deviceId: string, fraction: number): boolean {
  if (!(fraction > 0)) return false;
  const bucket = createHash('sha256').update(deviceId).digest().readUInt32BE(0) / 2 ** 32;
  return bucket < fraction;
}

function failed(state: HandsetState, command: DeviceCommand, detail: string) {
  return { state, ack: { commandId: command.id, state: 'failed' as const, detail } };
}
