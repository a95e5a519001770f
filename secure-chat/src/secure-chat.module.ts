import { Module, type DynamicModule } from '@nestjs/common';
import { KEYS, type KeyService } from '@pakawaaz/platform';
import { CHAT_DIRECTORY, CHAT_EXTERNAL_SENDER, CHAT_WAKE } from './chat-ports.js';
import { ChatController } from './chat.controller.js';
import { ChatCallsModule } from './calls/calls.module.js';
import { BotAwareDirectory } from './bots/bot-directory.js';
import { BOT_CONTROLLERS, botProviders, BotWakeTap, wakeWithBots } from './bots/bots.providers.js';
import { ChatFilesModule } from './files/files.module.js';
import { DeliveryRepository } from './delivery/delivery.repository.js';
import { DeliveryService } from './delivery/delivery.service.js';
import { SendBatchRepository } from './delivery/send-batch.repository.js';
import { SendGroupCommit } from './delivery/send-group-commit.js';
import { useExternalSender } from './external-sender.js';
import { DroppedMembers } from './groups/dropped-members.js';
import { GroupsService } from './groups/groups.service.js';
import { DeviceRemovalService } from './membership/device-removal.service.js';
import { DeparturesRepository } from './membership/departures.repository.js';
import { GroupLeaveService } from './membership/group-leave.service.js';
import { MembershipListener } from './membership/membership.listener.js';
import { RemovalsRepository } from './membership/removals.repository.js';
import { IdentityChatDirectory } from './identity-directory.js';
import { KeyPackagesRepository } from './key-packages/key-packages.repository.js';
import { KeyPackagesService } from './key-packages/key-packages.service.js';
import { KEY_PACKAGE_READER, WorkerKeyPackageReader } from './key-packages/key-package-reader.js';
import { COMMIT_CHECKER, WorkerCommitChecker } from './groups/commit-checker.js';
import { ChatMlsWorkers } from './mls/mls-workers.js';
import { SECURE_CHAT_CONFIG, type SecureChatConfig } from './secure-chat.config.js';
import { ChatHub } from './ws/chat-hub.js';
import { ChatRelay } from './ws/chat-relay.js';
import { ChatFlood, ChatFloodGuard } from './ws/chat-flood.js';
import { ChatPolicyController } from './policy/chat-policy.controller.js';
import { ChatPolicyEnforcer } from './policy/chat-policy.enforcer.js';
import { ChatPolicyRepository } from './policy/chat-policy.repository.js';
import { ChatPolicyService } from './policy/chat-policy.service.js';
import { ChatRetentionSweep } from './policy/chat-retention-sweep.service.js';
import { ChatSocketServer } from './ws/chat-socket.server.js';

/**
 * Nest module of the secure-chat domain: the MLS delivery service. Devices (DEVICE_AUTHENTICATOR, bound by
 * device management) publish and claim KeyPackages, register groups, commit and send; queues are per device.
 * CHAT_DIRECTORY is identity's directory (a test may bind another); CHAT_WAKE the hub of connected sockets.
 */
@Module({})
export class SecureChatModule {
  static forRoot(config: SecureChatConfig): DynamicModule {
    return {
      module: SecureChatModule,
      imports: [
        ChatFilesModule.forRoot(config.files),
        ...(config.calls ? [ChatCallsModule.forRoot(config.calls, config)] : []),
      ],
      controllers: [ChatController, ChatPolicyController, ...BOT_CONTROLLERS],
      providers: [
        { provide: SECURE_CHAT_CONFIG, useValue: config },
        {
          provide: CHAT_EXTERNAL_SENDER,
          inject: [KEYS],
          useFactory: (keys: KeyService) => useExternalSender(keys, config),
        },
        IdentityChatDirectory,
        { provide: CHAT_DIRECTORY, useExisting: BotAwareDirectory },
        ChatHub,
        { provide: CHAT_WAKE, inject: [ChatHub, BotWakeTap], useFactory: wakeWithBots },
        ...botProviders(config.bots),
        KeyPackagesRepository,
        ChatMlsWorkers,
        { provide: KEY_PACKAGE_READER, useClass: WorkerKeyPackageReader },
        KeyPackagesService,
        DeliveryRepository,
        { provide: COMMIT_CHECKER, useClass: WorkerCommitChecker },
        GroupsService,
        DroppedMembers,
        SendBatchRepository,
        SendGroupCommit,
        DeliveryService,
        ChatSocketServer,
        ChatRelay,
        RemovalsRepository,
        DeviceRemovalService,
        DeparturesRepository,
        GroupLeaveService,
        MembershipListener,
        ChatFlood,
        ChatFloodGuard,
        ChatPolicyRepository,
        ChatPolicyEnforcer,
        ChatPolicyService,
        ChatRetentionSweep,
      ],
      exports: [DeliveryService, DeviceRemovalService, ChatHub, ChatSocketServer],
    };
  }
}
