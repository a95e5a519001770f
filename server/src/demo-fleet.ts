import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { AppRolloutEngine } from '@pakawaaz/app-store';
import { DevicePushService, type DeviceMgmtConfig } from '@pakawaaz/device-mgmt';
import {
  DEMO_HANDSETS,
  demoFleetNeedsToken,
  labRootPaths,
  loadOrCreateLabRoot,
} from '@pakawaaz/handset-simulator';
import { DEMO_INSTITUTION, TokenService } from '@pakawaaz/identity';
import { SYSTEM_ACTOR, type Logger, type Principal } from '@pakawaaz/platform';
import type { DemoFleetMessage, DemoFleetStart } from './demo-fleet-main.js';
import type { DevicePortState } from './http/device-port.js';

/** The fleet's child-process entry (built JavaScript, next to this file in dist/). */
const DEMO_FLEET_MAIN = new URL('./demo-fleet-main.js', import.meta.url);

/** Seconds between one demo handset's check-ins (jittered ±20 %). */
const DEMO_CHECK_IN_SECONDS = 30;
/** How long the fleet may take to stop before it is killed. */
const STOP_GRACE_MS = 5_000;

export type DemoFleetState = { running: true; handsets: number } | { running: false; reason: string };

export type DemoFleet = { state: DemoFleetState; close(): Promise<void> };

const SYSTEM: Principal = {
  actor: SYSTEM_ACTOR,
  name: 'demo fleet',
  roles: ['super-admin'],
  institutionId: null,
  scope: { kind: 'national' },
  amr: [],
  acr: null,
  tokenId: 'system',
};

const off = (reason: string): DemoFleet => ({ state: { running: false, reason }, close: async () => {} });

/**
 * The embedded demo's simulated handsets (DEMO_HANDSETS of @pakawaaz/handset-simulator) in a child process,
 * so the NOC's device pages have something alive to show. Only with demo data; the lab root they are
 * attested by is made here, and trusted because the demo is on (the NOC shows its banner). On the first start
 * the child sets the demo officials up with a super-admin API token that is revoked as soon as it is ready.
 * Its handsets install the store's apps through the verified installer (demo-fleet-main.ts), and once they
 * have checked in the app rollout engine is nudged, so that e-Office is queued for them at once rather than
 * at its next tick (up to 30 s later).
 */
export async function startDemoFleet(o: {
  app: INestApplication;
  config: DeviceMgmtConfig;
  apiUrl: string;
  devicePort: DevicePortState;
  logger: Logger;
}): Promise<DemoFleet> {
  if (!o.config.demoFleet) return off('off (demo data only; PAKAWAAZ_DEMO_FLEET=false turns it off)');
  const labDir = path.dirname(o.config.labRootFile);
  if (labRootPaths(labDir).cert !== o.config.labRootFile)
    return off('off (PAKAWAAZ_LAB_ROOT_FILE is not a lab folder the fleet can sign with)');
  await loadOrCreateLabRoot(labDir);
  if (!o.devicePort.open) return off(`off (device port ${o.devicePort.reason})`);
  const stateFile = path.join(labDir, 'demo-fleet.json');
  const setUp = await setUpToken(o.app, stateFile);
  const child = fork(fileURLToPath(DEMO_FLEET_MAIN), [], {
    // Only what it needs: the path, and the CAs a private-CA main port is trusted by.
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  listen(child, o.logger, setUp.revoke, () => nudgeAppRollouts(o.app, o.logger));
  const start: DemoFleetStart = {
    type: 'start',
    apiUrl: o.apiUrl,
    deviceUrl: o.devicePort.url,
    labDir,
    stateFile,
    token: setUp.token,
    demoInstitution: DEMO_INSTITUTION,
    intervalSeconds: DEMO_CHECK_IN_SECONDS,
    pushUrl: pushUrlOf(o.app),
  };
  child.send(start);
  return {
    state: { running: true, handsets: DEMO_HANDSETS.length },
    close: async () => {
      await stop(child);
      await setUp.revoke();
    },
  };
}

/** The embedded broker on this node, for the demo handsets' push; null when there is none (they poll). */
function pushUrlOf(app: INestApplication): string | null {
  try {
    return app.get(DevicePushService, { strict: false }).localDeviceUrl();
  } catch {
    return null;
  }
}

/**
 * On the first start (no state file yet, or one from before the handsets pinned the store) a super-admin API
 * token for the child's set-up, revoked once it is ready, when it fails and at shutdown, whichever comes
 * first; later starts need none.
 */
async function setUpToken(
  app: INestApplication,
  stateFile: string,
): Promise<{ token: string | null; revoke: () => Promise<void> }> {
  if (!(await demoFleetNeedsToken(stateFile))) return { token: null, revoke: async () => {} };
  const tokens = app.get(TokenService, { strict: false });
  const made = await tokens.createApiToken(
    // One hour: set-up takes seconds, and a token a killed server never revoked must not outlive it long.
    { name: 'demo fleet set-up', roles: ['super-admin'], expiresInDays: 1 / 24 },
    SYSTEM,
    null,
  );
  const revoke = once(() => tokens.revokeApiToken(made.id, SYSTEM, null).catch(() => undefined));
  return { token: made.token, revoke };
}

function listen(child: ChildProcess, logger: Logger, revoke: () => Promise<void>, ready: () => void): void {
  const log = logger.child({ component: 'demo-fleet' });
  child.on('message', (m: DemoFleetMessage) => {
    if (m.type === 'log') log[m.level](m.data ?? {}, m.msg);
    else if (m.type === 'ready') {
      log.info(
        { enrolled: m.enrolled, compliant: m.compliant, fleetPid: child.pid },
        'demo fleet is checking in',
      );
      void revoke();
      ready();
    } else {
      log.warn({ error: m.error }, 'the demo fleet stopped');
      void revoke();
    }
  });
  child.on('error', (err) => log.warn({ err }, 'the demo fleet could not run'));
  child.once('exit', (code, signal) => {
    if (code !== 0) log.warn({ code, signal }, 'the demo fleet exited');
    void revoke();
  });
}

/**
 * The mandatory apps reconciled now: the fleet's handsets have just enrolled or come back, and the engine's
 * own tick may be up to half a minute away. Without app-store on this node there is nothing to install.
 */
function nudgeAppRollouts(app: INestApplication, logger: Logger): void {
  let engine: AppRolloutEngine;
  try {
    engine = app.get(AppRolloutEngine, { strict: false });
  } catch {
    return;
  }
  void engine.tickQuietly().catch((err: unknown) => logger.warn({ err }, 'the app rollout nudge failed'));
}

/** Asks the child to stop, then kills it if it has not gone within the grace period. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
  });
}

function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= f());
}
