import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  DeadLetterStore,
  FileKeyBackend,
  InProcessEventBus,
  KeyService,
  Metrics,
  loadPlatformConfig,
  migrateDomains,
  openDatabase,
} from '@pakawaaz/platform';
import { createApp } from '../bootstrap.js';
import { ALL_DOMAINS, DOMAINS } from '../domains.js';
import { buildOpenApi, serializeOpenApi } from '../http/openapi.js';
import { VERSION } from '../version.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../../../openapi.json', import.meta.url));

/** Renders openapi.json from the composed application on a throw-away in-memory database. */
export async function renderOpenApi(): Promise<string> {
  const logger = createLogger({ level: 'warn' });
  // A throw-away data folder: rendering needs a token signing key but must not touch the real one.
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-openapi-'));
  // No embedded MQTT broker (rendering must not take or collide on the device push port) and no embedded
  // Janus (it would start a media server, and probe it, only to be stopped again).
  const env = { PAKAWAAZ_DATA_DIR: dataDir, PAKAWAAZ_MQTT_PORT: '0', PAKAWAAZ_JANUS: 'off' };
  const config = loadPlatformConfig(env, process.cwd(), DOMAINS);
  const database = await openDatabase({ dataDir: 'memory://', logger });
  await migrateDomains(database, ALL_DOMAINS, logger);
  const eventBus = new InProcessEventBus(logger);
  const metrics = new Metrics();
  const { app } = await createApp(
    {
      config,
      logger,
      database,
      eventBus,
      deadLetters: new DeadLetterStore(database.db, metrics, logger),
      metrics,
      appInfo: { version: VERSION, startedAt: new Date(0) },
      keys: new KeyService(new FileKeyBackend(), logger),
    },
    env,
  );
  try {
    return serializeOpenApi(buildOpenApi(app, VERSION));
  } finally {
    await app.close();
    await eventBus.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function run(mode: string | undefined): Promise<number> {
  const rendered = await renderOpenApi();
  if (mode === '--write') {
    await writeFile(OPENAPI_FILE, rendered);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
    return 0;
  }
  const committed = await readFile(OPENAPI_FILE, 'utf8').catch(() => '');
  if (committed === rendered) {
    process.stdout.write('openapi.json is up to date\n');
    return 0;
  }
  process.stderr.write(
    'openapi.json is out of date with the code: run `npm run openapi` and commit the result.\n',
  );
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await run(process.argv[2]);
