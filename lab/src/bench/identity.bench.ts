import { ApiError, controlPlaneApi, signedIn } from '../server-process/control-plane-api.js';
import { startServerProcess, type ServerProcess } from '../server-process/server-process.js';
import { provisionFleet, type SimFleet } from '../server-process/sim-fleet.js';
import { withThrowawayDatabase } from '../server-process/throwaway-database.js';
import { benchLogins } from './identity-logins.js';
import { benchSimSignIn } from './identity-sim-login.js';
import { benchEapAkaOverRadius } from './identity-radius.js';
import { benchTokens } from './identity-tokens.js';

/**
 * Identity under load, against the built server (`server/dist/main.js`) in a child process — on embedded
 * PGlite, then on PostgreSQL when TEST_DATABASE_URL (default the local one) is reachable — provisioned
 * through its HTTP API: (a) EAP-AKA over RADIUS, (b) access-token verification, (c) a password-login
 * storm, (d) two-factor sign-in with the SIM factor over HTTPS. Each section prints its figures next to a
 * baseline measured in the same run; a section that fails prints why (with the exact request and response
 * for an API error) and the others still run. The child and its data folder are removed however it ends.
 */

const ADMIN_PASSWORD = 'quartz-meadow-lantern-58';
const SIMS = 200;
/**
 * Raised for the benchmark only: the default (100 sign-in steps per minute per address) would refuse the
 * storm, which comes from one address. Successful sign-ins never back off per account.
 */
const RATE_ENV = { PAKAWAAZ_LOGIN_RATE_PER_IP: '100000' };

const out = (line: string): void => void process.stdout.write(`${line}\n`);

function report(section: string, error: unknown): void {
  const detail =
    error instanceof ApiError
      ? `server API error:\n  ${error.message}`
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  out(`${section}: FAILED — ${detail}`);
  process.exitCode = 1;
}

async function section(name: string, body: () => Promise<void>): Promise<void> {
  out(`\n### ${name}`);
  try {
    await body();
  } catch (error) {
    report(name, error);
  }
}

async function benchmarks(server: ServerProcess): Promise<void> {
  const api = controlPlaneApi(server.url);
  const admin = await signedIn(api, 'admin', ADMIN_PASSWORD);
  const t0 = performance.now();
  const fleet: SimFleet = await provisionFleet(admin, {
    sims: SIMS,
    username: 'lab.official',
    password: 'violet-harbour-tandem-93',
    radiusSecret: 'lab-bench-nas-secret-0001',
  });
  out(
    `provisioned over HTTP in ${((performance.now() - t0) / 1000).toFixed(1)} s: 1 institution, 1 official, 1 RADIUS client, ${SIMS} SIMs imported and assigned`,
  );
  await section('(a) EAP-AKA over RADIUS', () => benchEapAkaOverRadius(server, fleet, out));
  await section('(b) access-token verification', async () =>
    benchTokens(server, (await signedIn(api, 'admin', ADMIN_PASSWORD)).token ?? '', out),
  );
  await section('(c) password-login storm', () =>
    benchLogins(server, { username: 'admin', password: ADMIN_PASSWORD }, out),
  );
  await section('(d) two-factor sign-in over HTTPS (password + SIM)', () =>
    benchSimSignIn(server, fleet, out),
  );
}

type Mode = { readonly name: string; readonly env: Readonly<Record<string, string>> };

/** One server, provisioned once, then every section; the child is stopped however this ends. */
async function runMode(mode: Mode): Promise<void> {
  out(`\n## identity on ${mode.name}`);
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({ adminPassword: ADMIN_PASSWORD, env: { ...RATE_ENV, ...mode.env } });
    await benchmarks(server);
  } catch (error) {
    report(`identity bench on ${mode.name}`, error);
    if (server) out(`server output (tail):\n${server.output()}`);
  } finally {
    await server?.stop();
  }
}

export async function run(): Promise<void> {
  out('server: server/dist/main.js as a child process (LOG_LEVEL=warn), provisioned over its HTTP API');
  out(
    `env for this run: PAKAWAAZ_LOGIN_RATE_PER_IP=${RATE_ENV.PAKAWAAZ_LOGIN_RATE_PER_IP} (the default, 100 per minute, would throttle the login storm)`,
  );
  // A signal would end this process without 'exit' handlers running; exiting runs them (they kill the children).
  const onSignal = (): void => process.exit(130);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    await runMode({ name: 'embedded PGlite (the default)', env: {} });
    const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const ran = await withThrowawayDatabase(adminUrl, `pakawaaz_identity_bench_${process.pid}`, (url) =>
      runMode({ name: 'PostgreSQL (production mode)', env: { DATABASE_URL: url } }).then(() => true),
    );
    if (!ran) out('\n(PostgreSQL not reachable at TEST_DATABASE_URL: PostgreSQL rows skipped)');
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
