import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { toErrorReply } from '../errors/error-reply.js';

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
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
