import { Module, type DynamicModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DATABASE, KEYS, type DatabaseHandle, type KeyService } from '@pakawaaz/platform';
import { DeliveryRepository } from '../delivery/delivery.repository.js';
import { RemovalsRepository } from '../membership/removals.repository.js';
import { SECURE_CHAT_CONFIG, type SecureChatConfig } from '../secure-chat.config.js';
import { CALL_SIGNALLING, CHAT_DIRECTORY, type ChatDirectory } from '../chat-ports.js';
import { ChatFlood, ChatFloodGuard } from '../ws/chat-flood.js';
import { ChatHub } from '../ws/chat-hub.js';
import { CALLS_CONFIG, type CallsConfig } from './calls.config.js';
import { CallHistoryController } from './history/call-history.controller.js';
import { CallHistoryRepository } from './history/call-history.repository.js';
import { CallHistoryService } from './history/call-history.service.js';
import { CallsStatusService } from './calls-status.service.js';
import { CALLS_SECRETS, openCallsSecrets } from './media-hosts/calls-secrets.js';
import { EmbeddedJanusService } from './media-hosts/embedded-janus.service.js';
import { HostHealthService } from './media-hosts/host-health.service.js';
import { MediaHostsController } from './media-hosts/media-hosts.controller.js';
import { MediaHostsRepository } from './media-hosts/media-hosts.repository.js';
import { MediaHostsService } from './media-hosts/media-hosts.service.js';
import { CallKicksListener } from './rooms/call-kicks.listener.js';
import { CallReaperService } from './rooms/call-reaper.service.js';
import { CallRoomsService } from './rooms/call-rooms.service.js';
import { CallsController } from './rooms/calls.controller.js';
import { CallsRepository } from './rooms/calls.repository.js';
import { CallsService } from './rooms/calls.service.js';
import { CALL_SIGNAL_SINK, CallNotifier, type CallSignalSink } from './signalling/call-notifier.js';
import { CallRingsRepository } from './signalling/call-rings.repository.js';
import {
  CALL_DIRECTORY,
  CallSignallingService,
  type CallDirectory,
} from './signalling/call-signalling.service.js';
import { TurnHealthService } from './turn/turn-health.service.js';
import { TurnServersRepository } from './turn/turn-servers.repository.js';
import { TurnService } from './turn/turn.service.js';

/**
 * Calls' control plane: media hosts (Janus; the embedded one when installed), their health, placement of each
 * call's E2EE VideoRoom, join tokens, TURN credentials, kicking devices taken out of chat, and the call
 * signalling (ringing) over the chat socket.
 */
@Module({})
export class ChatCallsModule {
  static forRoot(config: CallsConfig, chat: SecureChatConfig): DynamicModule {
    return {
      module: ChatCallsModule,
      controllers: [CallHistoryController, MediaHostsController, CallsController],
      providers: [
        { provide: CALLS_CONFIG, useValue: config },
        // The chat flood limiter (the same class and settings) for the calls routes.
        { provide: SECURE_CHAT_CONFIG, useValue: chat },
        ChatFlood,
        ChatFloodGuard,
        RemovalsRepository,
        {
          provide: CALLS_SECRETS,
          inject: [KEYS, DATABASE],
          useFactory: (keys: KeyService, db: DatabaseHandle) =>
            openCallsSecrets(keys, db, config.secretsKeyFile),
        },
        DeliveryRepository,
        MediaHostsRepository,
        MediaHostsService,
        EmbeddedJanusService,
        HostHealthService,
        TurnService,
        TurnServersRepository,
        TurnHealthService,
        CallsStatusService,
        CallsRepository,
        CallsService,
        CallRoomsService,
        CallReaperService,
        CallKicksListener,
        // The chat hub and identity's directory are the enclosing chat module's: found at first use.
        {
          provide: CALL_SIGNAL_SINK,
          inject: [ModuleRef],
          useFactory: (ref: ModuleRef): CallSignalSink => ({
            signal: (ids, frame, push) => ref.get(ChatHub, { strict: false }).signal(ids, frame, push),
          }),
        },
        {
          provide: CALL_DIRECTORY,
          inject: [ModuleRef],
          useFactory: (ref: ModuleRef): CallDirectory => ({
            institutionOf: async (userId) =>
              (await ref.get<ChatDirectory>(CHAT_DIRECTORY, { strict: false }).find(userId))?.institutionId ??
              null,
          }),
        },
        CallNotifier,
        CallRingsRepository,
        CallHistoryRepository,
        CallHistoryService,
        CallSignallingService,
        { provide: CALL_SIGNALLING, useExisting: CallSignallingService },
      ],
      exports: [CallsStatusService, CALL_SIGNALLING],
    };
  }
}
