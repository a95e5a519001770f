import { Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  isoDateTime,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodResponse,
  named,
  type Principal,
  type Role,
  ErrorCodes,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { MAX_NETWORK_SPEC_BYTES, NetworkSpecSchema } from './network-spec.js';
import { NetworkSpecService } from './network-spec.service.js';
import { NETWORK_SPEC_ERROR_STATUS } from './network-spec.errors.js';

/** Who may read the spec and the rendered files: the network-facing roles (super-admin passes every check). */
const READERS: Role[] = ['viewer', 'network-admin', 'sim-operator', 'security-officer'];

export const ApplyNetworkSpecRequest = named(
  'ApplyNetworkSpecRequest',
  z.object({ yaml: z.string().min(1).max(MAX_NETWORK_SPEC_BYTES) }).strict(),
  'input',
);
export const NetworkSpecIssue = named(
  'NetworkSpecIssue',
  z.object({ path: z.string(), message: z.string() }),
);
export const NetworkSpecDocument = named('NetworkSpec', NetworkSpecSchema);
export const CurrentNetworkSpec = named(
  'CurrentNetworkSpec',
  z.object({
    version: z.number().int(),
    sha256: z.string(),
    spec: NetworkSpecDocument,
    sourceYaml: z.string(),
    appliedBy: z.string(),
    appliedAt: isoDateTime(),
  }),
);
export const AppliedNetworkSpec = named(
  'AppliedNetworkSpec',
  z.object({
    version: z.number().int(),
    sha256: z.string(),
    appliedAt: isoDateTime(),
    warnings: z.array(NetworkSpecIssue),
  }),
);
export const Open5gsConfig = named(
  'Open5gsConfig',
  z.object({
    specVersion: z.number().int(),
    sha256: z.string(),
    files: z.array(z.object({ name: z.string(), content: z.string() })),
  }),
);

@ApiTags('network')
@ApiBearerAuth('bearer')
@RouteScope('national')
@ErrorCodes(
  NETWORK_SPEC_ERROR_STATUS,
  'invalid_network_spec',
  'network_spec_not_found',
  'network_spec_too_large',
)
@Controller('api/v1/network')
export class NetworkSpecController {
  constructor(private readonly specs: NetworkSpecService) {}

  @Get('spec')
  @Roles(...READERS)
  @ZodResponse(200, CurrentNetworkSpec)
  current() {
    return this.specs.current();
  }

  @Post('spec')
  @Roles('network-admin')
  @ZodResponse(
    201,
    AppliedNetworkSpec,
    'Stored as the next version; 422 invalid_network_spec lists every path at fault',
  )
  apply(
    @ZodBody(ApplyNetworkSpecRequest) body: z.infer<typeof ApplyNetworkSpecRequest>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.specs.apply(body.yaml, by, requestId);
  }

  @Get('open5gs-config')
  @Roles(...READERS)
  @ZodResponse(200, Open5gsConfig)
  open5gsConfig() {
    return this.specs.open5gsConfig();
  }
}
