import {
  ConfigError,
  DataDirLockedError,
  DatabaseUnavailableError,
  KeyError,
  LOG_LEVELS,
  createLogger,
  loadPlatformConfig,
} from '@pakawaaz/platform';
import cluster from 'node:cluster';
import { DOMAINS } from './domains.js';
import { startServer, type RunningServer } from './bootstrap.js';
import { printBanner } from './banner.js';
import { processRole } from './processes/process-plan.js';
import { superviseProcesses } from './processes/supervisor.js';
import { WorkerLink } from './processes/worker-link.js';

/** `npm start` / `pakawaaz start`: run the control plane until SIGINT/SIGTERM, then shut down gracefully. */
export async function main(): Promise<void> {
  // The config has not been validated yet: an invalid LOG_LEVEL is reported by it, not thrown by pino.
  const level = process.env.LOG_LEVEL ?? '';
  const logger = createLogger({
    level: LOG_LEVELS.includes(level as (typeof LOG_LEVELS)[number]) ? level : 'info',
  });
  let server: RunningServer;
  // Without its database the server can only fail requests: stop, so a supervisor restarts it.
  let onDatabaseFailure = (_err: Error) => {};
  let link: WorkerLink | null = null;
  try {
    const config = loadPlatformConfig(process.env, process.cwd(), DOMAINS);
    const { processes } = config;
    if (cluster.isPrimary && processes > 1) {
      process.exitCode = await superviseProcesses(processes, logger);
      return;
    }
    const role = processRole(cluster.isWorker, config.PAKAWAAZ_PROCESS_INDEX, processes);
    link = role.kind === 'single' ? null : new WorkerLink(role, logger);
    server = await startServer({
      logger,
      onDatabaseFailure: (err) => onDatabaseFailure(err),
      providers: link?.providers() ?? [],
      ...(link ? { peers: link.peers } : {}),
    });
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof DatabaseUnavailableError ||
      err instanceof DataDirLockedError ||
      err instanceof KeyError
    ) {
      process.stderr.write(`\npakawaaz: ${err.message}\n\n`);
    } else {
      logger.fatal({ err }, 'start-up failed');
      process.stderr.write(`\npakawaaz: start-up failed: ${(err as Error).message}\n\n`);
    }
    logger.flush();
    process.exitCode = 1;
    // A supervised process's channel would keep it alive: the supervisor learns of the failure by its exit.
    if (cluster.isWorker) process.exit(1);
    return;
  }
  if (!link || link.lead) printBanner(server);
  link?.serving(server);
  let stopping = false;
  const stop = (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining HTTP, closing event bus and database');
    const force = setTimeout(() => {
      logger.error('graceful shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    void server
      .close()
      .then(
        () => {
          logger.info('stopped');
          process.exitCode = exitCode;
        },
        (err: unknown) => {
          logger.error({ err }, 'error during shutdown');
          process.exitCode = 1;
        },
      )
      // A supervised process's channel keeps it alive, and closing it would exit with 0: exit, with the code.
      .finally(() => cluster.isWorker && (logger.flush(), process.exit(process.exitCode ?? 0)));
  };
  onDatabaseFailure = (err) => {
    logger.fatal({ err: { message: err.message } }, 'the embedded database stopped; shutting down');
    stop('database failure', 1);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
