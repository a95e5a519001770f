import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AnyRole, RouteScope, ZodResponse, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { SystemService } from './system.service.js';

export const DomainStatus = named(
  'DomainStatus',
  z.object({
    name: z.string(),
    status: z.enum(['active', 'planned']),
    health: z.enum(['up', 'down']),
    schema: z.string(),
    migrations: z.object({ applied: z.number().int(), available: z.number().int() }),
  }),
);
export const SystemStatus = named(
  'SystemStatus',
  z.object({
    version: z.string(),
    startedAt: z.string(),
    uptimeSeconds: z.number(),
    nodeVersion: z.string(),
    database: z.object({
      mode: z.enum(['embedded', 'postgresql']),
      location: z.string(),
      status: z.enum(['up', 'down']),
    }),
    eventBus: z.object({
      mode: z.enum(['in-process', 'nats']),
      status: z.enum(['up', 'down']),
      detail: z.string().optional(),
    }),
    domains: z.array(DomainStatus),
  }),
);

@ApiTags('system')
@ApiBearerAuth('bearer')
@AnyRole()
// Versions, database and event-bus locations, migrations: the national installation itself.
@RouteScope('national')
@Controller('api/v1/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Get()
  @ZodResponse(200, SystemStatus)
  status() {
    return this.system.status();
  }
}
