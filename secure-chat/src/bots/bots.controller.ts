import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentDevice,
  CurrentPrincipal,
  DeviceRoute,
  ErrorCodes,
  PLATFORM_ERROR_STATUS,
  Public,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodResponse,
  ZodValidationPipe,
  type DevicePrincipal,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { fromB64u } from '../mls/bytes.js';
import { SECURE_CHAT_ERROR_STATUS } from '../secure-chat.errors.js';
import { BOTS_ERROR_STATUS as E } from './bots.errors.js';
import {
  BotDirectory,
  BotEnrolled,
  BotEnrolmentRequest,
  BotIdParam,
  BotList,
  BotView,
  RegisterBotRequest,
  RegisteredBot,
  RotateBotSecretRequest,
  RotatedBotSecret,
} from './bots.dto.js';
import { BotsService } from './bots.service.js';

const botId = new ZodValidationPipe(BotIdParam);
/** The bot API's codes, with the platform's and chat's that its routes answer too. */
const CODES = {
  ...E,
  out_of_scope: PLATFORM_ERROR_STATUS.out_of_scope,
  invalid_chat_input: SECURE_CHAT_ERROR_STATUS.invalid_chat_input,
};

/** An institution's e-Office bots, for its chat administrators (national ones: every institution's). */
@ApiTags('chat')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@Controller('api/v1/chat/bots')
export class BotsAdminController {
  constructor(private readonly bots: BotsService) {}

  /** Registers a bot; the webhook secret and the one-time enrolment secret are in this reply only. */
  @Post()
  @Roles('chat-admin')
  @Header('cache-control', 'no-store')
  @ErrorCodes(CODES, 'invalid_bot_input', 'bot_limit_reached', 'out_of_scope')
  @ZodResponse(201, RegisteredBot)
  register(
    @ZodBody(RegisterBotRequest) body: z.infer<typeof RegisterBotRequest>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.bots.register(body, p, requestId);
  }

  @Get()
  @Roles('chat-admin', 'viewer')
  @ZodResponse(200, BotList)
  async list(@CurrentPrincipal() p: Principal) {
    return { bots: await this.bots.list(p) };
  }

  /**
   * A new webhook secret (in this reply only); the old one signs too for the overlap (`overlapHours`, 24 h by
   * default; 0 drops every old secret now). Refused while an earlier rotation's overlap runs, unless 0.
   */
  @Post(':id/webhook-secret/rotate')
  @HttpCode(200)
  @Roles('chat-admin')
  @Header('cache-control', 'no-store')
  @ErrorCodes(E, 'bot_not_found', 'webhook_secret_overlap_running')
  @ZodResponse(200, RotatedBotSecret)
  rotateWebhookSecret(
    @Param('id', botId) id: string,
    @ZodBody(RotateBotSecretRequest, { optional: true })
    body: z.infer<typeof RotateBotSecretRequest> | undefined,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.bots.rotateWebhookSecret(id, p, requestId, body?.overlapHours);
  }

  /** Revokes the bot's certificate and takes it out of every group (the server proposes its Remove). */
  @Post(':id/disable')
  @HttpCode(200)
  @Roles('chat-admin')
  @ErrorCodes(E, 'bot_not_found')
  @ZodResponse(200, BotView)
  disable(@Param('id', botId) id: string, @CurrentPrincipal() p: Principal, @RequestId() requestId: string) {
    return this.bots.disable(id, p, requestId);
  }
}

/** The bot's own side: enrolment (public: the one-time secret is the credential). */
@ApiTags('chat')
@RouteScope('self')
@Controller('api/v1/chat/bot-enrolment')
export class BotEnrolmentController {
  constructor(private readonly bots: BotsService) {}

  @Post()
  @Public()
  @Header('cache-control', 'no-store')
  @ErrorCodes(CODES, 'bot_enrolment_invalid', 'bot_csr_invalid', 'bot_ca_unavailable', 'invalid_chat_input')
  @ZodResponse(201, BotEnrolled)
  enrol(@ZodBody(BotEnrolmentRequest) body: z.infer<typeof BotEnrolmentRequest>) {
    return this.bots.enrol({
      botId: body.botId.toLowerCase(),
      enrolmentSecret: body.enrolmentSecret,
      csr: fromB64u(body.csr, 4096, 'csr'),
    });
  }
}

/** What an official's handset may add to a group: the active bots of its institution. */
@ApiTags('chat')
@DeviceRoute({ desktops: true })
@Controller('api/v1/chat/bot-directory')
export class BotDirectoryController {
  constructor(private readonly bots: BotsService) {}

  @Get()
  @ZodResponse(200, BotDirectory)
  async directory(@CurrentDevice() device: DevicePrincipal) {
    return { bots: await this.bots.directory(device) };
  }
}
