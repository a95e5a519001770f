import { Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CurrentDevice,
  DeviceRoute,
  ErrorCodes,
  PLATFORM_ERROR_STATUS,
  ZodBody,
  ZodQuery,
  ZodResponse,
  ZodValidationPipe,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { ActiveBots } from './bots/active-bots.guard.js';
import { BotSendBudget } from './bots/bot-send-budget.guard.js';
import { BOTS_ERROR_STATUS } from './bots/bots.errors.js';
import { CHAT_EXTERNAL_SENDER, type ChatExternalSender } from './chat-ports.js';
import {
  AckReply,
  AckRequest,
  ClaimKeyPackagesReply,
  ClaimKeyPackagesRequest,
  CommitRequest,
  ExternalSenderReply,
  GroupEpochReply,
  GroupIdParam,
  GroupInfoReply,
  InboxQuery,
  InboxReply,
  LeaveGroupReply,
  RegisterGroupRequest,
  SendMessageReply,
  SendMessageRequest,
  UploadKeyPackagesReply,
  UploadKeyPackagesRequest,
} from './chat.dto.js';
import { CHAT_COMMIT_BODY_BYTES, CHAT_SEND_BODY_BYTES } from './chat-limits.js';
import { DeliveryService } from './delivery/delivery.service.js';
import { GroupsService } from './groups/groups.service.js';
import { GroupLeaveService } from './membership/group-leave.service.js';
import { KeyPackagesService } from './key-packages/key-packages.service.js';
import { b64u, fromB64u } from './mls/bytes.js';
import { CHAT_CIPHERSUITE, MLS_LIMITS } from './mls/mls-facts.js';
import { SECURE_CHAT_ERROR_STATUS } from './secure-chat.errors.js';
import { FloodLimited } from './ws/chat-flood.js';

/**
 * Chat's codes, a bot's 429 on the routes that send (BotSendBudget), and the 413 of a body over its route's
 * own limit (CHAT_BODY_LIMITS).
 */
const E = {
  ...SECURE_CHAT_ERROR_STATUS,
  bot_rate_limited: BOTS_ERROR_STATUS.bot_rate_limited,
  payload_too_large: PLATFORM_ERROR_STATUS.payload_too_large,
};

/** The 413 of a route with its own body limit (CHAT_BODY_LIMITS), and of an MLS input over MLS_LIMITS. */
const tooLarge = (bytes: number, what: string) =>
  ApiResponse({
    status: 413,
    description: `\`payload_too_large\`: the body is over ${bytes} bytes (${what} at the MLS limits, in base64url, with the JSON around), refused before it is read; \`mls_too_large\`: an MLS input over its limit`,
  });

const GROUP_PARAM = {
  name: 'groupId',
  description: 'The MLS group id, base64url',
  schema: { type: 'string' },
};
const groupIdPipe = new ZodValidationPipe(GroupIdParam);

/**
 * Secure chat over HTTP for enrolled devices (the same operations as the WebSocket): authenticated by the
 * device certificate; every service acts on the calling device only. Bots (e-Office service accounts, see
 * bots/) call them too while active (ActiveBots), their sends within a budget.
 */
@ApiTags('chat')
@DeviceRoute({ bots: true, desktops: true })
@UseGuards(ActiveBots)
@Controller('api/v1/chat')
export class ChatController {
  constructor(
    private readonly keyPackages: KeyPackagesService,
    private readonly groups: GroupsService,
    private readonly delivery: DeliveryService,
    private readonly leaving: GroupLeaveService,
    @Inject(CHAT_EXTERNAL_SENDER) private readonly externalSender: ChatExternalSender,
  ) {}

  /** The server's external sender: list it in every group's `external_senders` (it proposes Removes). */
  @Get('external-sender')
  @ZodResponse(200, ExternalSenderReply)
  externalSenderKey(): z.infer<typeof ExternalSenderReply> {
    return { signatureKey: b64u(this.externalSender.signatureKey), cipherSuite: CHAT_CIPHERSUITE };
  }

  /** Publishes this device's KeyPackages (up to 50 one-time and one last-resort), all or none. */
  @Post('key-packages')
  @HttpCode(200)
  @ErrorCodes(
    E,
    'invalid_chat_input',
    'mls_malformed',
    'mls_too_large',
    'mls_unsupported',
    'mls_bad_signature',
    'mls_credential_refused',
    'device_removed_from_chat',
    'key_package_expired',
    'mls_busy',
  )
  @ZodResponse(200, UploadKeyPackagesReply)
  upload(
    @CurrentDevice() device: DevicePrincipal,
    @ZodBody(UploadKeyPackagesRequest) body: z.infer<typeof UploadKeyPackagesRequest>,
  ) {
    const packages = body.keyPackages.map((k, i) =>
      fromB64u(k, MLS_LIMITS.maxKeyPackageBytes, `keyPackages[${i}]`),
    );
    return this.keyPackages.upload(device, packages);
  }

  /** One KeyPackage per live device of an official this device's official may see (one-time ones consumed). */
  @Post('key-packages/claim')
  @HttpCode(200)
  @FloodLimited('claims')
  @ErrorCodes(
    E,
    'device_removed_from_chat',
    'official_not_found',
    'chat_policy_forbids',
    'chat_rate_limited',
    'directory_unavailable',
  )
  @ZodResponse(200, ClaimKeyPackagesReply)
  claim(
    @CurrentDevice() device: DevicePrincipal,
    @ZodBody(ClaimKeyPackagesRequest) body: z.infer<typeof ClaimKeyPackagesRequest>,
  ) {
    return this.keyPackages.claim(device, body.user);
  }

  /** Registers a new group with its epoch-0 GroupInfo (this device its only member, the external sender listed). */
  @Post('groups')
  @HttpCode(201)
  @FloodLimited('frames')
  @ErrorCodes(
    E,
    'mls_malformed',
    'mls_too_large',
    'mls_unsupported',
    'mls_bad_signature',
    'mls_credential_refused',
    'mls_external_sender_missing',
    'mls_wrong_group',
    'device_removed_from_chat',
    'group_exists',
  )
  @ZodResponse(201, GroupEpochReply)
  register(
    @CurrentDevice() device: DevicePrincipal,
    @ZodBody(RegisterGroupRequest) body: z.infer<typeof RegisterGroupRequest>,
  ) {
    return this.groups.register(device, fromB64u(body.groupInfo, MLS_LIMITS.maxGroupInfoBytes, 'groupInfo'));
  }

  /** The group's latest GroupInfo and epoch (for a member). */
  @Get('groups/:groupId')
  @ApiParam(GROUP_PARAM)
  @ErrorCodes(E, 'group_not_found')
  @ZodResponse(200, GroupInfoReply)
  groupInfo(@CurrentDevice() device: DevicePrincipal, @Param('groupId', groupIdPipe) groupId: string) {
    return this.groups.groupInfo(device, groupId);
  }

  /** A commit for the group's current epoch, with the next GroupInfo and the Welcome of added devices. */
  @Post('groups/:groupId/commits')
  @HttpCode(200)
  @FloodLimited('frames')
  @ApiParam(GROUP_PARAM)
  @ErrorCodes(
    E,
    'invalid_chat_input',
    'mls_malformed',
    'mls_too_large',
    'mls_unsupported',
    'mls_bad_signature',
    'mls_credential_refused',
    'mls_external_sender_missing',
    'mls_wrong_group',
    'mls_stale_epoch',
    'mls_member_removed',
    'mls_commit_mismatch',
    'group_not_found',
    'not_a_member',
    'official_not_found',
    'chat_policy_forbids',
    'client_id_reused',
    'chat_rate_limited',
    'directory_unavailable',
    'bot_rate_limited',
    'mls_busy',
    'payload_too_large',
  )
  @tooLarge(CHAT_COMMIT_BODY_BYTES, 'the commit, GroupInfo and Welcome')
  @UseGuards(BotSendBudget)
  @ZodResponse(200, GroupEpochReply)
  commit(
    @CurrentDevice() device: DevicePrincipal,
    @Param('groupId', groupIdPipe) groupId: string,
    @ZodBody(CommitRequest) body: z.infer<typeof CommitRequest>,
  ) {
    return this.groups.commit(device, groupId, {
      commit: fromB64u(body.commit, MLS_LIMITS.maxMessageBytes, 'commit'),
      groupInfo: fromB64u(body.groupInfo, MLS_LIMITS.maxGroupInfoBytes, 'groupInfo'),
      ...(body.welcome ? { welcome: fromB64u(body.welcome, MLS_LIMITS.maxWelcomeBytes, 'welcome') } : {}),
      clientId: body.clientId,
    });
  }

  /**
   * The calling official leaves the group: the server proposes the Remove of each of the official's devices to
   * the other members (who commit it) and stops delivering the group to them at once. Idempotent.
   */
  @Post('groups/:groupId/leave')
  @HttpCode(200)
  @FloodLimited('frames')
  @ApiParam(GROUP_PARAM)
  @ErrorCodes(E, 'group_not_found', 'chat_rate_limited')
  @ZodResponse(200, LeaveGroupReply)
  leave(@CurrentDevice() device: DevicePrincipal, @Param('groupId', groupIdPipe) groupId: string) {
    return this.leaving.leave(device, groupId);
  }

  /**
   * An application message or proposal, fanned out to every member device but this one. Its body is at most
   * CHAT_SEND_BODY_BYTES (the message at its MLS limit, 256 KiB, in base64url): larger, 413 payload_too_large.
   */
  @Post('groups/:groupId/messages')
  @HttpCode(200)
  @FloodLimited('frames')
  @ApiParam(GROUP_PARAM)
  @ErrorCodes(
    E,
    'invalid_chat_input',
    'mls_malformed',
    'mls_too_large',
    'mls_unsupported',
    'mls_wrong_group',
    'mls_stale_epoch',
    'group_not_found',
    'client_id_reused',
    'chat_rate_limited',
    'bot_rate_limited',
    'payload_too_large',
  )
  @tooLarge(CHAT_SEND_BODY_BYTES, 'the message')
  @UseGuards(BotSendBudget)
  @ZodResponse(200, SendMessageReply)
  send(
    @CurrentDevice() device: DevicePrincipal,
    @Param('groupId', groupIdPipe) groupId: string,
    @ZodBody(SendMessageRequest) body: z.infer<typeof SendMessageRequest>,
  ) {
    return this.delivery.send(device, groupId, {
      message: fromB64u(body.message, MLS_LIMITS.maxMessageBytes, 'message'),
      clientId: body.clientId,
    });
  }

  /**
   * This device's queue after `after`, oldest first (at least once: until acknowledged): at most `limit`
   * envelopes and INBOX_BYTES (1 MiB) of them as JSON, but always one; `more` when the queue holds more.
   */
  @Get('inbox')
  @ErrorCodes(E, 'device_removed_from_chat')
  @ZodResponse(200, InboxReply)
  async inbox(
    @CurrentDevice() device: DevicePrincipal,
    @ZodQuery(InboxQuery) q: z.infer<typeof InboxQuery>,
  ): Promise<z.infer<typeof InboxReply>> {
    return this.delivery.inboxPage(device, q.after, { limit: q.limit });
  }

  /** Deletes this device's queue up to `upTo`. */
  @Post('inbox/ack')
  @HttpCode(200)
  @ZodResponse(200, AckReply)
  ack(@CurrentDevice() device: DevicePrincipal, @ZodBody(AckRequest) body: z.infer<typeof AckRequest>) {
    return this.delivery.ack(device, body.upTo);
  }
}
