import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  named,
  Roles,
  RouteScope,
  ZodBody,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { CORE_NETWORK_ERROR_STATUS, coreNetworkError } from '../core-network.errors.js';
import { NetworkSpecIssue } from '../network-spec/network-spec.controller.js';
import { ProfilePreviewService } from './profile-preview.service.js';

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const PreviewProfileRequest = named(
  'PreviewProfileRequest',
  // The profile is checked by the preview itself, so that every problem is listed, not the first kind.
  z.object({ profile: z.unknown() }).strict(),
  'input',
);
export const SubscriberProfilePreview = named(
  'SubscriberProfilePreview',
  z.object({
    valid: z.boolean(),
    errors: z.array(NetworkSpecIssue),
    warnings: z.array(NetworkSpecIssue),
    exists: z.boolean(),
    changed: z.boolean(),
    diff: z.string(),
    subscribers: z.object({
      total: z.number().int(),
      sample: z.array(z.object({ imsi: z.string(), displayName: z.string() })),
    }),
  }),
);

@ApiTags('subscribers')
@ApiBearerAuth('bearer')
@RouteScope('national')
@ErrorCodes(CORE_NETWORK_ERROR_STATUS, 'invalid_profile')
@Controller('api/v1/subscriber-profiles')
export class ProfilePreviewController {
  constructor(private readonly service: ProfilePreviewService) {}

  @Post(':name/preview')
  @Roles('network-admin')
  @HttpCode(200)
  @ZodResponse(
    200,
    SubscriberProfilePreview,
    'Stores nothing: every problem, the diff against the saved profile and the subscribers using it',
  )
  preview(
    @Param('name') name: string,
    @ZodBody(PreviewProfileRequest) body: z.infer<typeof PreviewProfileRequest>,
    @CurrentPrincipal() p: Principal,
  ) {
    if (!PROFILE_NAME.test(name))
      throw coreNetworkError('invalid_profile', 'Profile names are lower-case letters, digits and dashes.');
    return this.service.preview(name, body.profile, p);
  }
}
