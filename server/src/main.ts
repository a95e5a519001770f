import { ConfigError, LOG_LEVELS, createLogger, loadPlatformConfig } from '@pakawaaz/platform/config';
import cluster from 'node:cluster';
import { DOMAINS } from './domain-names.js';
import { superviseProcesses } from './processes/supervisor.js';

/**
 * `npm start` / `pakawaaz start`: run the control plane until SIGINT/SIGTERM, then shut down gracefully.
 *
 * This module stays light on purpose: it imports the kernel's configuration, the domains' names and the
 * supervisor, not the server. With PAKAWAAZ_PROCESSES > 1 the supervising process serves nothing: it checks
 * the configuration (refusing a bad one before it starts any process) and routes its processes' messages,
 * without loading Nest, the domains or the database drivers. Only a process that serves imports serve.js.
 */
export async function main(): Promise<void> {
  // The config has not been validated yet: an invalid LOG_LEVEL is reported by it, not thrown by pino.
  const level = process.env.LOG_LEVEL ?? '';
  const logger = createLogger({
    level: LOG_LEVELS.includes(level as (typeof LOG_LEVELS)[number]) ? level : 'info',
  });
  // Failures whose message says it all (the operator's to fix); the server's join them once it is loaded.
  let plain: readonly (abstract new (...args: never[]) => Error)[] = [ConfigError];
  try {
    const config = loadPlatformConfig(process.env, process.cwd(), DOMAINS);
    if (cluster.isPrimary && config.processes > 1) {
      process.exitCode = await superviseProcesses(config.processes, logger);
      return;
    }
    const server = await import('./serve.js');
    plain = [...plain, ...server.PLAIN_START_ERRORS];
    await server.serve(config, logger);
  } catch (err) {
    if (plain.some((type) => err instanceof type)) {
      process.stderr.write(`\npakawaaz: ${(err as Error).message}\n\n`);
    } else {
      logger.fatal({ err }, 'start-up failed');
      process.stderr.write(`\npakawaaz: start-up failed: ${(err as Error).message}\n\n`);
    }
    logger.flush();
    process.exitCode = 1;
    // A supervised process's channel would keep it alive: the supervisor learns of the failure by its exit.
    if (cluster.isWorker) process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
