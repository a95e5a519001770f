import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AnyRole, RouteScope, ZodResponse, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { SystemService } from './system.service.js';

export const DomainStatus = named(
  'DomainStatus',
  z.object({
    name: z.string(),
    /** active: serves features on this node; not-served: built, but not in this node's PAKAWAAZ_DOMAINS; planned: its module and schema exist, its features arrive later. */
    status: z.enum(['active', 'not-served', 'planned']),
    health: z.enum(['up', 'down']),
    schema: z.string(),
    migrations: z.object({ applied: z.number().int(), available: z.number().int() }),
  }),
);
export const DeadLetterEntry = named(
  'DeadLetterEntry',
  z.object({
    id: z.string(),
    eventId: z.string().nullable(),
    type: z.string(),
    consumer: z.string(),
    kind: z.enum(['invalid-payload', 'handler-failed', 'malformed']),
    reason: z.string(),
    receivedAt: z.string(),
  }),
);
export const SystemStatus = named(
  'SystemStatus',
  z.object({
    version: z.string(),
    startedAt: z.string(),
    uptimeSeconds: z.number(),
    nodeVersion: z.string(),
    /** The process that answered, of the host's PAKAWAAZ_PROCESSES (index 0 runs RADIUS, the MQTT broker, Janus). */
    process: z.object({ index: z.number().int(), count: z.number().int(), pid: z.number().int() }),
    /** The device port (mutual TLS for handsets): its URL, or why it is not open. */
    devicePort: z.object({ open: z.boolean(), url: z.string().optional(), detail: z.string().optional() }),
    /** Handsets attested by the lab root are accepted (PAKAWAAZ_TRUST_LAB_ROOT=1): demo and tests only. */
    trustsLabAttestationRoot: z.boolean(),
    database: z.object({
      mode: z.enum(['embedded', 'postgresql']),
      location: z.string(),
      status: z.enum(['up', 'down']),
    }),
    eventBus: z.object({
      mode: z.enum(['in-process', 'nats']),
      status: z.enum(['up', 'down']),
      detail: z.string().optional(),
      /** Events a consumer gave up on, cluster-wide (payloads are only in the database). */
      deadLetters: z.object({
        total: z.number().int(),
        last24h: z.number().int(),
        latest: z.array(DeadLetterEntry),
      }),
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
