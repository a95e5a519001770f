// The kernel's configuration and logger alone: `@pakawaaz/platform/config`. A process that only checks the
// configuration (the supervisor of PAKAWAAZ_PROCESSES > 1) imports this face, not the main one, which loads
// Nest, drizzle, the database drivers and the event bus with it.
export * from './config.js';
export * from './platform.config.js';
export * from '../logging/logger.js';
