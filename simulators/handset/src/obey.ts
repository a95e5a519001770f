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
  apps: { package: string; versionCode: number }[];
  osBuild: string;
};

export type DeviceCommand = { id: string; type: string; params?: Record<string, unknown> | null };

export type Acknowledgement = { commandId: string; state: 'succeeded' | 'failed'; detail?: string };

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function obey(
  state: HandsetState,
  command: DeviceCommand,
  now: Date,
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
      const pkg = text(params['package']);
      if (!pkg) return failed(state, command, 'no package named');
      const versionCode = typeof params['versionCode'] === 'number' ? params['versionCode'] : 1;
      return ok({ apps: [...state.apps.filter((a) => a.package !== pkg), { package: pkg, versionCode }] });
    }
    case 'uninstall_app': {
      const pkg = text(params['package']);
      if (!pkg || !state.apps.some((a) => a.package === pkg)) return failed(state, command, 'not installed');
      return ok({ apps: state.apps.filter((a) => a.package !== pkg) });
    }
    case 'update_os':
      return ok({ osBuild: text(params['version']) ?? state.osBuild, lastBootAt: now.toISOString() });
    case 'rotate_certificate':
      return ok({}, 'the simulator keeps its key; renewal is exercised by the enrolment tests');
    default:
      return failed(state, command, `unknown command type ${command.type}`);
  }
}

function failed(state: HandsetState, command: DeviceCommand, detail: string) {
  return { state, ack: { commandId: command.id, state: 'failed' as const, detail } };
}
