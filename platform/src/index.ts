// Public face of the platform kernel: everything other packages may import.
export * from './config/config.js';
export * from './config/platform.config.js';
export * from './logging/logger.js';
export * from './errors/app-error.js';
export * from './errors/platform.errors.js';
export * from './errors/error-reply.js';
export * from './db/database.js';
export * from './db/database.tokens.js';
export * from './db/domain.js';
export * from './db/migrate.js';
export * from './db/platform.schema.js';
export * from './auth/principal.js';
export * from './events/event-bus.js';
export * from './platform.domain.js';
