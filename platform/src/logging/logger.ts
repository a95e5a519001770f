import { pino, type Logger, type LoggerOptions } from 'pino';
import { isErrorLike, safeError, withSafeErrors } from './safe-error.js';

export type { Logger } from 'pino';

/**
 * Field names whose values must never reach a log line, wherever they appear. One central list, so a new
 * secret-bearing field is redacted everywhere by adding it here (Novu-style).
 */
export const REDACTED_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'bindPassword',
  'otp',
  'totp',
  'otpCode',
  'totpCode',
  'recoveryCode',
  'totpSecret',
  'seed',
  'secret',
  'k',
  'ki',
  'op',
  'opc',
  'privateKey',
  'private_key',
  'token',
  'accessToken',
  'refreshToken',
  'bootstrapToken',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
] as const;

/** pino redact paths: the field at the top level and one or two levels deep (request headers, bodies). */
export const REDACT_PATHS: string[] = REDACTED_FIELDS.flatMap((f) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`;
  const dot = key.startsWith('[') ? '' : '.';
  return [key, `*${dot}${key}`, `*.*${dot}${key}`];
});

export function createLogger(
  options: { level: string; name?: string },
  destination?: pino.DestinationStream,
): Logger {
  const opts: LoggerOptions = {
    level: options.level,
    name: options.name ?? 'pakawaaz',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
    },
    // Every error is logged in its safe shape, before pino reads it (it would copy a bare error's message
    // into msg): never a failed query's parameters (safe-error.ts).
    // pino's own error serializer would flatten causes into the message; ours keeps the safe shape.
    serializers: { err: (v: unknown) => (isErrorLike(v) ? safeError(v) : v) },
    hooks: {
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        if (isErrorLike(first)) {
          const err = safeError(first);
          const msg = rest.length === 0 ? [err.message] : rest;
          return method.apply(this, [{ err }, ...msg] as Parameters<typeof method>);
        }
        return method.apply(this, [withSafeErrors(first), ...rest] as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(opts, destination) : pino(opts);
}
