import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadOrCreateLabRoot, progressLine, runFleet, type FleetProgress } from '@pakawaaz/handset-simulator';
import { baseUrlOf, CliError } from '../api-client.js';
import { positiveInt, type CliContext } from '../context.js';

const MAX_DEVICES = 20_000;

const seconds = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 86_400)
    throw new CliError('expected seconds between 0 and 86400', 2);
  return n;
};

const fraction = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new CliError('expected a fraction between 0 and 1', 2);
  return n;
};

/**
 * `pakawaaz lab fleet`: simulated handsets against a running server (demo and load). They are attested by the
 * lab root of a data folder, which the server trusts only with PAKAWAAZ_TRUST_LAB_ROOT=1.
 */
export function registerLabCommands(program: Command, ctx: CliContext): void {
  const lab = program
    .command('lab')
    .description('simulated handsets against a running server (demo, tests, load)');
  lab
    .command('fleet')
    .description('enrol N simulated handsets (lab-attested) and keep them checking in over mutual TLS')
    .option('--devices <n>', `how many handsets (at most ${MAX_DEVICES})`, positiveInt, 10)
    .option('--duration <seconds>', 'how long to run after enrolment (0: one check-in each)', seconds, 30)
    .option('--interval <seconds>', "seconds between one handset's check-ins (0: back to back)", seconds, 5)
    .option('--concurrency <n>', 'enrolments in flight at once', positiveInt, 8)
    .option('--official <username...>', 'officials to enrol for, round robin (default: active officials)')
    .option('--device-url <url>', 'the device port (mutual TLS)', 'https://127.0.0.1:8443')
    .option('--lab-root <dir>', "the lab root's folder (default: <PAKAWAAZ_DATA_DIR>/lab)")
    .option(
      '--update-failure-rate <fraction>',
      'lab fault: this fraction (0..1) of handsets fail OS updates ("install verification failed")',
      fraction,
      0,
    )
    .option('--model <codename>', 'the model the handsets attest (OS updates are for a model)', 'labphone')
    .option(
      '--push <url>',
      "the MQTT broker's device listener, e.g. mqtts://127.0.0.1:18830: handsets check in at once on a push (default: PAKAWAAZ_PUSH_URL)",
    )
    .option('--no-push', 'poll only, even when PAKAWAAZ_PUSH_URL is set')
    .option('--json', 'print the final figures as JSON')
    .action(async (o: FleetArgs) => {
      if (o.devices > MAX_DEVICES) throw new CliError(`--devices is at most ${MAX_DEVICES}.`, 2);
      const token = ctx.io.env.PAKAWAAZ_TOKEN;
      if (!token)
        throw new CliError(
          'Set PAKAWAAZ_TOKEN to a device-admin token (the fleet makes enrolment tokens).',
          2,
        );
      const dir = resolve(o.labRoot ?? join(ctx.io.env.PAKAWAAZ_DATA_DIR || '.pakawaaz', 'lab'));
      const root = await loadOrCreateLabRoot(dir);
      ctx.io.stderr(
        `lab root: ${join(dir, 'attestation-root.pem')} (the server must run with PAKAWAAZ_TRUST_LAB_ROOT=1)\n`,
      );
      const done = await runFleet({
        apiUrl: baseUrlOf(ctx.io.env),
        deviceUrl: o.deviceUrl,
        token,
        root,
        devices: o.devices,
        durationSeconds: o.duration,
        intervalSeconds: o.interval,
        concurrency: o.concurrency,
        updateFailureRate: o.updateFailureRate,
        // Each handset's trusted TUF root and metadata, beside the lab root (the root is provisioned from
        // the server: lab only, a real handset ships it in its OS image).
        ota: { model: o.model, dir: join(dir, 'fleet-ota', String(process.pid)) },
        ...(o.official ? { officials: o.official } : {}),
        ...(pushUrl(o, ctx.io.env) ? { pushUrl: pushUrl(o, ctx.io.env)! } : {}),
        onProgress: (p) => ctx.io.stderr(`${progressLine(p)}\n`),
      });
      ctx.print(done, !!o.json, () => `${progressLine(done)}\n`);
      if (done.enrolled === 0) throw new CliError(failure(done), 1);
    });
}

type FleetArgs = {
  devices: number;
  duration: number;
  interval: number;
  concurrency: number;
  updateFailureRate: number;
  model: string;
  official?: string[];
  deviceUrl: string;
  labRoot?: string;
  /** The URL, true (no --push given), or false (--no-push). */
  push: string | boolean;
  json?: boolean;
};

const pushUrl = (o: FleetArgs, env: Record<string, string | undefined>): string | null =>
  typeof o.push === 'string' ? o.push : o.push ? env.PAKAWAAZ_PUSH_URL || null : null;

const failure = (p: FleetProgress) =>
  `No handset could enrol${p.lastError ? ` (last error: ${p.lastError})` : ''}. Is the server running with ` +
  'PAKAWAAZ_TRUST_LAB_ROOT=1 and the same data folder, and does the token hold device-admin?';
