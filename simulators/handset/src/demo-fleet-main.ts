import 'reflect-metadata';
import { loadOrCreateLabRoot } from './lab-root.js';
import { runDemoFleet } from './demo-fleet.js';

/**
 * The embedded demo's fleet as a child process of the server (forked with an IPC channel), so its key
 * generation, TLS and JSON never run on the server's event loop. The parent sends one `start` message (the
 * set-up token travels over IPC, never in argv or the environment); the child answers with `log` and
 * `ready` messages and ends on `stop`, SIGTERM, or when the parent goes away (the channel closes).
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
    signal: stop.signal,
    log: (level, msg, data) => send({ type: 'log', level, msg, ...(data ? { data } : {}) }),
    onReady: (r) => send({ type: 'ready', ...r }),
  });
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
