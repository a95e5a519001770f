import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors/app-error.js';
import { DATABASE_RETRY_AFTER_SECONDS, toErrorReply } from '../errors/error-reply.js';

export type ExceptionFilterOptions = {
  /** Offered every 404 first; returns true when it answered (e.g. the NOC's SPA fallback for browser navigation). */
  onNotFound?: (request: FastifyRequest, reply: FastifyReply) => boolean;
};

/** One global filter: every error leaves as `{ code, message, requestId }`; 500s are logged with an error id. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly options: ExceptionFilterOptions = {},
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body } = toErrorReply(exception, request.id, this.logger);
    if (status === 404 && this.options.onNotFound?.(request, reply)) return;
    const retryAfter =
      retryAfterOf(exception) ??
      (body.code === 'database_unavailable' ? DATABASE_RETRY_AFTER_SECONDS : undefined);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

/** A 429 or 503 whose details carry `retryAfterSeconds` tells the client when to come back (RFC 9110 §10.2.3). */
function retryAfterOf(exception: unknown): number | undefined {
  if (!(exception instanceof AppError) || (exception.status !== 429 && exception.status !== 503))
    return undefined;
  const seconds = (exception.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.ceil(seconds)
    : undefined;
}
