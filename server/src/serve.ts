import cluster from 'node:cluster';
import {
  DataDirLockedError,
  DatabaseUnavailableError,
  KeyError,
  type Logger,
  type PlatformConfig,
} from '@pakawaaz/platform';
import { startServer, type RunningServer } from './bootstrap.js';
import { printBanner } from './banner.js';
import { processRole } from './processes/process-plan.js';
import { WorkerLink } from './processes/worker-link.js';

/** The server's start-up failures that are the operator's to fix: main.ts reports their message alone. */
export const PLAIN_START_ERRORS = [DatabaseUnavailableError, DataDirLockedError, KeyError] as const;

/**
 * A process that serves — the only one, or one the supervisor of PAKAWAAZ_PROCESSES > 1 started — with the
 * configuration main.ts parsed: starts the server, then runs it until SIGINT/SIGTERM and shuts it down
 * gracefully. Rejects if the server cannot start. main.ts imports this module only in such a process: it
 * loads the whole server (Nest, every domain, the database drivers, the event bus).
 */
export async function serve(config: PlatformConfig, logger: Logger): Promise<void> {
  // Without its database the server can only fail requests: stop, so a supervisor restarts it.
  let onDatabaseFailure = (_err: Error) => {};
  const role = processRole(cluster.isWorker, config.PAKAWAAZ_PROCESS_INDEX, config.processes);
  const link = role.kind === 'single' ? null : new WorkerLink(role, logger);
  const server = await startServer({
    config,
    logger,
    onDatabaseFailure: (err) => onDatabaseFailure(err),
    providers: link?.providers() ?? [],
    ...(link ? { peers: link.peers } : {}),
  });
  if (!link || link.lead) printBanner(server);
  link?.serving(server);
  const stop = stopper(server, logger);
  onDatabaseFailure = (err) => {
    logger.fatal({ err: { message: err.message } }, 'the embedded database stopped; shutting down');
    stop('database failure', 1);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

/** Graceful shutdown, once, whatever asks for it first; forced after 15 s. */
function stopper(server: RunningServer, logger: Logger): (signal: string, exitCode?: number) => void {
  let stopping = false;
  return (signal, exitCode = 0) => {
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
}
