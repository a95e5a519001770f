import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';
import {
  CALL_KICKS_CONSUMER,
  CALL_KICKS_GROUP_CONSUMER,
  CALL_KICKS_OFFICIAL_CONSUMER,
  MediaHostHealthChanged,
  TurnServerHealthChanged,
} from './calls/calls.events.js';
import { DEVICE_REMOVAL_CONSUMER, OFFICIAL_STATUS_CONSUMER } from './membership/membership.events.js';
import {
  CALL_SIGNAL_CONSUMER,
  CallSignalled,
  CHAT_REMOVED_CONSUMER,
  CHAT_WAKE_CONSUMER,
  ChatDeviceRemoved,
  ChatQueued,
  DEVICES_HELD_CONSUMER,
  DEVICES_RELEASED_CONSUMER,
  DevicesHeld,
  DevicesReleased,
  GroupMembersDropped,
} from './secure-chat.events.js';

// Type-level capability registration (`interface`: only interfaces merge across modules).
declare module '@pakawaaz/platform' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface RoleRegistry {
    'chat-admin': 'institution';
    'media-admin': 'national';
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface CapabilityRegistry {
    chat: true;
    calls: true;
  }
}

export const secureChatDomain = {
  name: 'secure-chat',
  pgSchema: 'secure_chat',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  events: {
    publishes: [
      ChatQueued,
      CallSignalled,
      ChatDeviceRemoved,
      DevicesHeld,
      DevicesReleased,
      MediaHostHealthChanged,
      TurnServerHealthChanged,
      GroupMembersDropped,
    ],
    consumes: [
      CHAT_WAKE_CONSUMER,
      CALL_SIGNAL_CONSUMER,
      CHAT_REMOVED_CONSUMER,
      DEVICES_HELD_CONSUMER,
      DEVICES_RELEASED_CONSUMER,
      DEVICE_REMOVAL_CONSUMER,
      OFFICIAL_STATUS_CONSUMER,
      CALL_KICKS_CONSUMER,
      CALL_KICKS_OFFICIAL_CONSUMER,
      CALL_KICKS_GROUP_CONSUMER,
    ],
  },
  auth: {
    roles: {
      // An institution's chat administrator: its attachments' usage, and deleting any of its files.
      'chat-admin': {
        description: "secure chat: the institution's attachments and quota",
        scope: 'institution',
      },
      // Media hosts (Janus) and TURN are national infrastructure, like the network.
      'media-admin': {
        description: 'calls: media hosts (Janus) and TURN',
        scope: 'national',
      },
    },
    capabilities: {
      // Chat is worth having once the federal ministries talk to each other; calls need the media hosts
      // sized for the whole country.
      chat: { description: 'end-to-end encrypted chat', firstPhase: 'federal-ministries' },
      calls: { description: 'end-to-end encrypted voice and video calls', firstPhase: 'nationwide' },
    },
  },
} as const satisfies DomainDescriptor;
