import { Body, Controller, Get, Headers, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  ZodValidationPipe,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { APP_STORE_ERROR_STATUS } from '../app-store.errors.js';
import {
  AppIdParam,
  AppList,
  AppView,
  MandatoryInput,
  MemberInput,
  MemberList,
  OrgIdParam,
  OrgInput,
  OrgList,
  OrgView,
  PolicyScopeParam,
  StorePolicyInput,
  StorePolicyView,
  PublishQuery,
  PublishResult,
  ReviewInput,
  ReviewQueue,
  VersionIdParam,
  VersionList,
  VersionView,
} from './publishing.dto.js';
import { APK_MEDIA_TYPE, PublishingService } from './publishing.service.js';
import { PoliciesService } from './policies.service.js';
import { ReviewsService } from './reviews.service.js';

/** The route of the raw APK upload (the server accepts APK_MEDIA_TYPE there only). */
export const STORE_APK_ROUTE = '/api/v1/store/apps/versions';

@ApiTags('app-store')
@ApiBearerAuth('bearer')
// Developer organisations belong to institutions (vendors' to none: national only); services keep each
// caller to the organisations it is a member of (developers) or that are in its scope (reviewers).
@RouteScope('institution')
@ErrorCodes(APP_STORE_ERROR_STATUS, 'invalid_store_input')
@Controller('api/v1/store')
export class StoreController {
  constructor(
    private readonly publishing: PublishingService,
    private readonly reviews: ReviewsService,
    private readonly policies: PoliciesService,
  ) {}

  /**
   * The APK is the raw request body, read as it arrives and never buffered. The service checks who the caller
   * is before it looks at the body (a JSON body from a stranger is a 403, not a 400).
   */
  @Post('apps/versions')
  @Roles('developer')
  @ApiConsumes(APK_MEDIA_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary', description: 'The signed APK' } })
  @ErrorCodes(
    APP_STORE_ERROR_STATUS,
    'not_a_developer',
    'developer_org_required',
    'developer_org_not_found',
    'apk_too_large',
    'apk_truncated',
    'apk_upload_timeout',
    'apk_uploads_busy',
    'apk_inspector_unavailable',
    'apk_not_verified',
    'apk_manifest_incomplete',
    'package_owned_by_another_org',
    'signer_mismatch',
    'version_code_not_increasing',
  )
  @ZodResponse(201, PublishResult, 'Verified and in review; nothing is stored when the upload is refused')
  publish(
    @ZodQuery(PublishQuery) q: z.output<typeof PublishQuery>,
    @Body() body: unknown,
    @Headers('content-length') length: string | undefined,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.publishing.publish(q, body, length === undefined ? undefined : Number(length), by, requestId);
  }

  @Get('apps')
  @Roles('developer', 'app-reviewer')
  @ZodResponse(200, AppList, "Developers: their organisations' apps; reviewers: every app in their scope")
  apps(@CurrentPrincipal() by: Principal) {
    return this.publishing.apps(by);
  }

  @Get('apps/:id/versions')
  @Roles('developer', 'app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'app_not_found')
  @ZodResponse(200, VersionList, 'Highest versionCode first, with their reviews')
  versions(@Param('id', new ZodValidationPipe(AppIdParam)) id: string, @CurrentPrincipal() by: Principal) {
    return this.publishing.versions(id, by);
  }

  @Put('apps/:id/mandatory')
  @Roles('app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'app_not_found')
  @ZodResponse(200, AppView, "A mandatory app's versions need two distinct approvers")
  setMandatory(
    @Param('id', new ZodValidationPipe(AppIdParam)) id: string,
    @ZodBody(MandatoryInput) body: z.output<typeof MandatoryInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.reviews.setMandatory(id, body, by, requestId);
  }

  @Get('reviews')
  @Roles('app-reviewer')
  @ZodResponse(200, ReviewQueue, 'Versions in review, oldest first, with their permission diff')
  queue(@CurrentPrincipal() by: Principal) {
    return this.reviews.queue(by);
  }

  @Post('versions/:id/reviews')
  @Roles('app-reviewer')
  @ErrorCodes(
    APP_STORE_ERROR_STATUS,
    'app_version_not_found',
    'version_not_in_review',
    'review_by_uploader',
    'already_reviewed',
    'policy_findings_unresolved',
  )
  @ZodResponse(201, VersionView, 'The decision is recorded and audited')
  review(
    @Param('id', new ZodValidationPipe(VersionIdParam)) id: string,
    @ZodBody(ReviewInput) body: z.output<typeof ReviewInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.reviews.decide(id, body, by, requestId);
  }

  @Get('policies/:scope')
  @Roles('app-reviewer', 'developer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'outside_institution_scope')
  @ZodResponse(
    200,
    StorePolicyView,
    "scope: 'national' or an institution id; inherited: the national one applies; effective: raised to the national floor",
  )
  policy(
    @Param('scope', new ZodValidationPipe(PolicyScopeParam)) scope: string,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.policies.get(scope, by);
  }

  @Put('policies/:scope')
  @Roles('app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'outside_institution_scope', 'policy_below_national_floor')
  @ZodResponse(
    200,
    StorePolicyView,
    "Applies to versions uploaded from now on (their findings are kept); an institution's may not be weaker than the national one",
  )
  setPolicy(
    @Param('scope', new ZodValidationPipe(PolicyScopeParam)) scope: string,
    @ZodBody(StorePolicyInput) body: z.output<typeof StorePolicyInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.policies.set(scope, body, by, requestId);
  }

  @Post('versions/:id/withdraw')
  @Roles('developer', 'app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'app_version_not_found', 'version_not_withdrawable')
  @ZodResponse(201, VersionView, 'In review or approved → withdrawn (audited)')
  withdraw(
    @Param('id', new ZodValidationPipe(VersionIdParam)) id: string,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.reviews.withdraw(id, by, requestId);
  }

  @Get('orgs')
  @Roles('app-reviewer')
  @ZodResponse(200, OrgList)
  orgs(@CurrentPrincipal() by: Principal) {
    return this.reviews.orgs(by);
  }

  @Post('orgs')
  @Roles('app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'developer_org_exists', 'outside_institution_scope')
  @ZodResponse(201, OrgView, 'institutionId null (a vendor) needs a national reviewer')
  createOrg(
    @ZodBody(OrgInput) body: z.output<typeof OrgInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.reviews.createOrg(body, by, requestId);
  }

  @Post('orgs/:id/members')
  @Roles('app-reviewer')
  @ErrorCodes(
    APP_STORE_ERROR_STATUS,
    'developer_org_not_found',
    'user_not_found',
    'user_directory_unavailable',
  )
  @ZodResponse(201, MemberList)
  addMember(
    @Param('id', new ZodValidationPipe(OrgIdParam)) id: string,
    @ZodBody(MemberInput) body: z.output<typeof MemberInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.reviews.addMember(id, body, by, requestId);
  }
}
