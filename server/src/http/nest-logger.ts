import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@pakawaaz/platform';

/** Routes Nest's own log lines into the pino logger, so everything is one JSON stream with one redaction list. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    // Nest's route-mapping chatter is debug-level noise for operators.
    const quiet =
      context === 'RouterExplorer' || context === 'RoutesResolver' || context === 'InstanceLoader';
    this.logger[quiet ? 'debug' : 'info']({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
