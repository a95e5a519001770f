import { Controller, Get, HttpCode, Post } from '@nestjs/common';
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

const SpecYaml = z.string().min(1).max(MAX_NETWORK_SPEC_BYTES);
export const ApplyNetworkSpecRequest = named(
  'ApplyNetworkSpecRequest',
  z
    .object({
      yaml: SpecYaml,
      baseVersion: z
        .number()
        .int()
        .min(0)
        .describe('The running version the change was previewed against (0: no spec yet); 409 when it moved'),
      allowWeakSecurity: z
        .boolean()
        .optional()
        .describe(
          'Required (true) to apply a spec that prefers null ciphering or integrity (NEA0, NIA0, EEA0, EIA0)',
        ),
    })
    .strict(),
  'input',
);
export const PreviewNetworkSpecRequest = named(
  'PreviewNetworkSpecRequest',
  z.object({ yaml: SpecYaml }).strict(),
  'input',
);
export const NetworkSpecIssue = named(
  'NetworkSpecIssue',
  z.object({
    path: z.string(),
    message: z.string(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
  }),
);
export const NetworkSpecPreview = named(
  'NetworkSpecPreview',
  z.object({
    valid: z.boolean(),
    errors: z.array(NetworkSpecIssue),
    warnings: z.array(NetworkSpecIssue),
    weakSecurity: z.array(NetworkSpecIssue),
    baseVersion: z.number().int(),
    baseSha256: z.string().nullable(),
    sha256: z.string().nullable(),
    changed: z.boolean(),
    specDiff: z.string(),
    files: z.array(
      z.object({
        name: z.string(),
        status: z.enum(['added', 'changed', 'unchanged', 'removed']),
        diff: z.string(),
      }),
    ),
  }),
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
  'network_spec_changed',
  'weak_security_not_allowed',
  'spec_orphans_profiles',
  'spec_orphans_static_addresses',
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

  @Post('spec/preview')
  @Roles('network-admin')
  @HttpCode(200)
  @ZodResponse(
    200,
    NetworkSpecPreview,
    'Stores nothing: every problem, the diff against the running spec and of each rendered Open5GS file',
  )
  preview(
    @ZodBody(PreviewNetworkSpecRequest) body: z.infer<typeof PreviewNetworkSpecRequest>,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.specs.preview(body.yaml, by);
  }

  @Post('spec')
  @Roles('network-admin')
  @ZodResponse(
    201,
    AppliedNetworkSpec,
    "Stored as the next version; 422 invalid_network_spec lists every path at fault, 409 network_spec_changed when the running spec is no longer baseVersion, 422 weak_security_not_allowed without allowWeakSecurity, 409 spec_orphans_profiles / spec_orphans_static_addresses when it drops a slice, DNN, IPv6 pool or static block that saved profiles or subscribers' static addresses need (details name them)",
  )
  apply(
    @ZodBody(ApplyNetworkSpecRequest) body: z.infer<typeof ApplyNetworkSpecRequest>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    const { yaml, ...conditions } = body;
    return this.specs.apply(yaml, conditions, by, requestId);
  }

  @Get('open5gs-config')
  @Roles(...READERS)
  @ZodResponse(200, Open5gsConfig)
  open5gsConfig() {
    return this.specs.open5gsConfig();
  }
}
