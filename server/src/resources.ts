import { mkdir } from 'node:fs/promises';
import {
  DeadLetterStore,
  InProcessEventBus,
  Metrics,
  connectNatsEventBus,
  createLogger,
  eventCatalog,
  migrateDomains,
  openDatabase,
  openKeyService,
  type EventBus,
  type KeyService,
  type Logger,
  type PlatformConfig,
  type PlatformResources,
} from '@pakawaaz/platform';
import { ALL_DOMAINS, DOMAIN_DESCRIPTORS } from './domains.js';
import { VERSION } from './version.js';

/** Opens the resources the kernel needs, in order, with plain errors: data folder, database, migrations, event bus. */
export async function openResources(
  config: PlatformConfig,
  logger?: Logger,
  onDatabaseFailure?: (err: Error) => void,
): Promise<PlatformResources> {
  const log = logger ?? createLogger({ level: config.LOG_LEVEL });
  if (config.databaseMode === 'embedded' || config.eventBusMode === 'in-process')
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.dataDir,
    logger: log,
    onFailure: onDatabaseFailure,
  });
  const metrics = new Metrics();
  const deadLetters = new DeadLetterStore(database.db, metrics, log);
  let eventBus: EventBus | undefined;
  let keys: KeyService;
  try {
    await migrateDomains(database, ALL_DOMAINS, log);
    eventBus = await openEventBus(config, log, deadLetters);
    keys = await openKeyService(config, log, database);
  } catch (err) {
    await eventBus?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
  return {
    config,
    logger: log,
    database,
    eventBus,
    deadLetters,
    metrics,
    appInfo: { version: VERSION, startedAt: new Date() },
    keys,
  };
}

/**
 * The event bus, knowing every domain's events: publishing checks each payload against its owner's schema,
 * dead letters go to `platform.dead_letters`, and on NATS the durables domains retired are deleted.
 */
function openEventBus(
  config: PlatformConfig,
  logger: Logger,
  deadLetters: DeadLetterStore,
): Promise<EventBus> {
  const catalog = eventCatalog(DOMAIN_DESCRIPTORS);
  if (!config.NATS_URL) return Promise.resolve(new InProcessEventBus(logger, { catalog, deadLetters }));
  const retiredConsumers = DOMAIN_DESCRIPTORS.flatMap((d) => d.events?.retiredConsumers ?? []);
  return connectNatsEventBus({ url: config.NATS_URL, logger, catalog, deadLetters, retiredConsumers });
}
