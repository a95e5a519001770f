import net from 'node:net';

/**
 * Service-backed tests take their URLs from the environment and fall back to the local services of a
 * development machine. When a service is unreachable, a test falls back (PGlite for the database) or skips
 * with a visible notice — unless PAKAWAAZ_REQUIRE_SERVICES=1 (set by .ci/run), where that is a failure.
 */
export const requireServices = (): boolean =>
  ['1', 'true', 'yes'].includes(process.env.PAKAWAAZ_REQUIRE_SERVICES ?? '');

export const testDatabaseUrl = (): string =>
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const testNatsUrl = (): string => process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const testMqttUrl = (): string => process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** TCP reachability of a service URL (host:port), within a short timeout. */
export function reachable(url: string, timeoutMs = 1_500): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || defaultPort(u.protocol));
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function defaultPort(protocol: string): number {
  switch (protocol) {
    case 'postgres:':
    case 'postgresql:':
      return 5432;
    case 'nats:':
      return 4222;
    case 'mqtt:':
      return 1883;
    default:
      return 80;
  }
}

/**
 * Resolves whether a service-backed suite may run. Unreachable + required → throws (the suite fails);
 * unreachable + optional → prints a notice and returns false (the caller skips).
 */
export async function serviceGate(name: string, url: string): Promise<boolean> {
  if (await reachable(url)) return true;
  const message = `${name} is not reachable at ${url}`;
  if (requireServices())
    throw new Error(
      `${message} and PAKAWAAZ_REQUIRE_SERVICES is set: start it (see README) or unset the variable.`,
    );
  console.warn(
    `\n[notice] ${message}: skipping the tests that need it. Set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );
  return false;
}
