import {
  FLEET_PAGE,
  type AppFleet,
  type FleetApp,
  type FleetCommand,
  type FleetCommandOutcome,
  type FleetCommandState,
} from '../../src/rollouts/app-fleet.js';

type Device = { id: string; institutionId: string; apps: FleetApp[]; attestationFailed: boolean };
type Queued = FleetCommand & { state: FleetCommandState; detail: string | null; actor: string };

/**
 * The APP_FLEET port in memory, as device-mgmt answers it (keyset pages ordered by id, one command per device
 * and key, at most FLEET_PAGE per call): the real binding has its own tests, these are app-store's. The test
 * plays the handsets: it settles commands and sets what each device reports.
 */
export class MemoryFleet implements AppFleet {
  private readonly byId = new Map<string, Device>();
  readonly commands: Queued[] = [];
  queueCalls = 0;

  addDevices(institutionId: string, ids: readonly string[]): void {
    for (const id of ids) this.byId.set(id, { id, institutionId, apps: [], attestationFailed: false });
  }

  device(id: string): Device {
    const d = this.byId.get(id);
    if (!d) throw new Error(`no device ${id}`);
    return d;
  }

  /** The device reports this app (replacing any other version of the package). */
  report(id: string, app: FleetApp): void {
    const d = this.device(id);
    d.apps = [...d.apps.filter((a) => a.package !== app.package), app];
  }

  commandsWith(prefix: string): Queued[] {
    return this.commands.filter((c) => c.key.startsWith(prefix));
  }

  /** The handset answers a command; a succeeded install also shows in its report, as after its check-in. */
  settle(c: Queued, state: FleetCommandState, detail: string | null = null): void {
    c.state = state;
    c.detail = detail;
    if (state === 'succeeded' && c.type === 'install_app')
      this.report(c.deviceId, { package: c.params.package, versionCode: c.params.versionCode, crashes: 0 });
  }

  devices(institutionId: string, afterId?: string) {
    const page = [...this.byId.values()]
      .filter((d) => d.institutionId === institutionId && (afterId === undefined || d.id > afterId))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, FLEET_PAGE)
      .map((d) => ({ ...d, apps: [...d.apps] }));
    return Promise.resolve(page);
  }

  queue(commands: readonly FleetCommand[], actor: { id: string; name: string }) {
    this.queueCalls += 1;
    if (commands.length > FLEET_PAGE) return Promise.reject(new Error('more than FLEET_PAGE commands'));
    let added = 0;
    for (const c of commands) {
      if (!c.key.startsWith('app:') || c.key.length > 200)
        return Promise.reject(new Error(`bad key ${c.key}`));
      if (this.commands.some((q) => q.deviceId === c.deviceId && q.key === c.key)) continue;
      this.commands.push({ ...c, state: 'queued', detail: null, actor: actor.id });
      added += 1;
    }
    return Promise.resolve(added);
  }

  cancel(keyPrefix: string, reason: string): Promise<number> {
    let cancelled = 0;
    for (const c of this.commandsWith(keyPrefix))
      if (c.state === 'queued' || c.state === 'delivered') {
        c.state = 'cancelled';
        c.detail = reason;
        cancelled += 1;
      }
    return Promise.resolve(cancelled);
  }

  outcomes(keyPrefix: string): Promise<FleetCommandOutcome[]> {
    return Promise.resolve(
      this.commandsWith(keyPrefix).map((c) => ({
        deviceId: c.deviceId,
        key: c.key,
        state: c.state,
        detail: c.detail,
      })),
    );
  }
}
