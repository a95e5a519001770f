import 'reflect-metadata';
import { bufferSource, inspectApk } from '@pakawaaz/apk';
import { verifyCatalogue, type CataloguePins } from '@pakawaaz/app-store/catalogue';
import {
  loadOrCreateLabRoot,
  runDemoFleet,
  type DemoStorePins,
  type HandsetOptions,
} from '@pakawaaz/handset-simulator';

/**
 * The embedded demo's fleet as a child process of the server (forked with an IPC channel), so its key
 * generation, TLS and JSON never run on the server's event loop. The parent sends one `start` message (the
 * set-up token travels over IPC, never in argv or the environment); the child answers with `log` and
 * `ready` messages and ends on `stop`, SIGTERM, or when the parent goes away (the channel closes).
 *
 * It lives in the server, the composition root, rather than in the simulator: the handsets' verified installer
 * is bound here to app-store's catalogue verifier and the APK inspector (the simulator, a client of the API,
 * imports neither app-store nor the server; its floor keeps it so). This process never loads Nest or a
 * database: it imports the catalogue face of app-store, the pure format and its checks.
 */

export type DemoFleetStart = {
  type: 'start';
  apiUrl: string;
  deviceUrl: string;
  labDir: string;
  stateFile: string;
  token: string | null;
  demoInstitution: string;
  intervalSeconds: number;
  /** The embedded MQTT broker for the handsets' push (null: none; they only poll). */
  pushUrl: string | null;
};

export type DemoFleetMessage =
  | { type: 'log'; level: 'info' | 'warn'; msg: string; data?: Record<string, unknown> }
  | { type: 'ready'; enrolled: number; compliant: number }
  | { type: 'failed'; error: string };

const stop = new AbortController();
const send = (m: DemoFleetMessage) => {
  if (process.connected) process.send?.(m);
};

async function start(m: DemoFleetStart): Promise<void> {
  const root = await loadOrCreateLabRoot(m.labDir);
  await runDemoFleet({
    apiUrl: m.apiUrl,
    deviceUrl: m.deviceUrl,
    root,
    stateFile: m.stateFile,
    token: m.token,
    demoInstitution: m.demoInstitution,
    intervalSeconds: m.intervalSeconds,
    ...(m.pushUrl ? { pushUrl: m.pushUrl } : {}),
    store: verifiedInstaller,
    signal: stop.signal,
    log: (level, msg, data) => send({ type: 'log', level, msg, ...(data ? { data } : {}) }),
    onReady: (r) => send({ type: 'ready', ...r }),
  });
}

/** A demo handset's store: the catalogue checked against its pins, each APK inspected before it is installed. */
function verifiedInstaller(pins: DemoStorePins): NonNullable<HandsetOptions['store']> {
  const bound: CataloguePins = {
    catalogueKey: pins.catalogueKey,
    institution: pins.institution,
    logKey: pins.logKey,
    // A C2SP verifier key is "name+keyid+key"; the log's name is its checkpoints' origin.
    logOrigin: pins.logKey.slice(0, pins.logKey.indexOf('+')),
  };
  return {
    verify: (jws, bytes, state) => verifyCatalogue(jws, bytes, bound, state),
    inspect: (apk) => inspectApk(bufferSource(apk)),
  };
}

process.once('message', (m: DemoFleetStart | { type: 'stop' }) => {
  if (m.type !== 'start') return;
  process.on('message', (next: { type: string }) => {
    if (next.type === 'stop') stop.abort();
  });
  start(m).then(
    () => process.disconnect?.(),
    (err: unknown) => {
      send({ type: 'failed', error: String((err as Error).message ?? err) });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
});
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());
process.once('disconnect', () => stop.abort());
