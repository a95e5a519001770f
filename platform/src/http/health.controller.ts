import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators.js';
import { Metrics } from '../metrics/metrics.js';
import { named, ZodResponse } from '../openapi/zod-openapi.js';
import { FeatureBoard } from './features.js';
import { HealthService, type Readiness } from './health.service.js';
import { APP_INFO, type AppInfo } from './platform.tokens.js';

export const Liveness = named(
  'Liveness',
  z.object({
    status: z.literal('ok'),
    version: z.string(),
    /** Optional features and whether they work now (e.g. `calls` disabled: no media host). */
    features: z.record(
      z.string(),
      z.object({ state: z.enum(['enabled', 'disabled']), detail: z.string().nullable() }),
    ),
  }),
);
export const ReadinessReply = named(
  'Readiness',
  z.object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ database: z.enum(['up', 'down']), eventBus: z.enum(['up', 'down']) }),
  }),
);

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: Metrics,
    private readonly features: FeatureBoard,
    @Inject(APP_INFO) private readonly app: AppInfo,
  ) {}

  /**
   * Liveness: the process serves HTTP. Says nothing about dependencies (that is /readyz); lists optional
   * features that are off (calls disabled when no media host is up) — the process is still healthy.
   */
  @Get('healthz')
  @ZodResponse(200, Liveness)
  healthz(): z.infer<typeof Liveness> {
    return { status: 'ok', version: this.app.version, features: this.features.all() };
  }

  @Get('readyz')
  @ZodResponse(200, ReadinessReply)
  @ZodResponse(503, ReadinessReply, 'A dependency is down')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = await this.health.readiness();
    void reply.status(readiness.status === 'ready' ? 200 : 503);
    return readiness;
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.text();
  }
}
