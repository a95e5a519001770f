import { Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  PLATFORM_ERROR_STATUS,
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
import { SECURE_CHAT_ERROR_STATUS } from '../secure-chat.errors.js';
import {
  ChatPolicyList,
  ChatPolicyView,
  HeldMetadataPage,
  HeldMetadataQuery,
  InstitutionIdParam,
  PutChatPolicyRequest,
  SetHoldRequest,
} from './chat-policy.dto.js';
import { ChatPolicyService } from './chat-policy.service.js';

const E = { ...SECURE_CHAT_ERROR_STATUS, national_only: PLATFORM_ERROR_STATUS.national_only };
const INSTITUTION = { name: 'institutionId', description: 'The institution id', schema: { type: 'string' } };
const institution = new ZodValidationPipe(InstitutionIdParam);

/**
 * Per-institution chat policies and legal holds. Reading a policy is institution-scoped (an institution's
 * principals read their own only); setting policies and holds, and reading held metadata, is national.
 */
@ApiTags('chat')
@ApiBearerAuth('bearer')
@Controller('api/v1/chat')
export class ChatPolicyController {
  constructor(private readonly policies: ChatPolicyService) {}

  @Get('policies')
  @RouteScope('institution')
  @Roles('chat-admin', 'viewer')
  @ZodResponse(
    200,
    ChatPolicyList,
    'National: every stored policy; an institution: its own (defaults if none)',
  )
  list(@CurrentPrincipal() by: Principal) {
    return this.policies.list(by);
  }

  @Get('policies/:institutionId')
  @RouteScope('institution')
  @Roles('chat-admin', 'viewer')
  @ApiParam(INSTITUTION)
  @ErrorCodes(E, 'chat_policy_not_found')
  @ZodResponse(200, ChatPolicyView, "The institution's policy (source default: none stored)")
  get(@Param('institutionId', institution) id: string, @CurrentPrincipal() by: Principal) {
    return this.policies.get(id, by);
  }

  @Put('policies/:institutionId')
  @RouteScope('national')
  @Roles('chat-admin')
  @ApiParam(INSTITUTION)
  @ErrorCodes(E, 'invalid_chat_input', 'national_only')
  @ZodResponse(200, ChatPolicyView, 'Binds on the next claim or commit; the retention on the next sweep')
  put(
    @Param('institutionId', institution) id: string,
    @ZodBody(PutChatPolicyRequest) body: z.output<typeof PutChatPolicyRequest>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.policies.put(id, body, by, requestId);
  }

  @Put('policies/:institutionId/hold')
  @RouteScope('national')
  @Roles('chat-admin', 'security-officer')
  @ApiParam(INSTITUTION)
  @ErrorCodes(E, 'national_only')
  @ZodResponse(200, ChatPolicyView, "From now on its officials' delivery metadata is kept (never ciphertext)")
  hold(
    @Param('institutionId', institution) id: string,
    @ZodBody(SetHoldRequest) body: z.output<typeof SetHoldRequest>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.policies.setHold(id, body.reason, by, requestId);
  }

  @Delete('policies/:institutionId/hold')
  @RouteScope('national')
  @Roles('chat-admin', 'security-officer')
  @ApiParam(INSTITUTION)
  @ErrorCodes(E, 'national_only')
  @ZodResponse(200, ChatPolicyView, 'The hold lifted: the next sweep deletes the metadata kept under it')
  release(
    @Param('institutionId', institution) id: string,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.policies.releaseHold(id, by, requestId);
  }

  @Get('held-metadata')
  @RouteScope('national')
  @Roles('security-officer', 'chat-admin')
  @ErrorCodes(E, 'national_only')
  @ZodResponse(200, HeldMetadataPage, 'Newest first; each read is audited. nextBeforeId pages on')
  held(
    @ZodQuery(HeldMetadataQuery) q: z.output<typeof HeldMetadataQuery>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.policies.heldMetadata(q, by, requestId);
  }
}
