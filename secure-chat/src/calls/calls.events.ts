import { defineConsumer, defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';
import { CertificatesRevoked, HandsetLost, OfficialDisabled } from '../membership/membership.events.js';
import { GroupMembersDropped } from '../secure-chat.events.js';

/** A media host went up or down (the NOC's alarm; new calls go elsewhere while it is down). */
export const MediaHostHealthChanged = defineEvent(
  'secure-chat.media-host.health-changed',
  z.object({
    hostId: z.uuid(),
    name: z.string().min(1).max(100),
    health: z.enum(['up', 'down']),
    detail: z.string().max(500).nullable(),
  }),
  {
    examples: [
      {
        hostId: '0b9f3c1e-5a7d-4e2b-8c6f-1d3a5e7b9c2f',
        name: 'janus-isb-1',
        health: 'down',
        detail: 'connect ECONNREFUSED 10.0.4.11:7088',
      },
    ],
  },
);

/** A device taken out of chat is kicked from its live calls at once (once per cluster). */
export const CALL_KICKS_CONSUMER = defineConsumer({
  name: 'secure-chat.call-kicks',
  delivery: 'durable',
  filter: 'device-mgmt.device.>',
  expects: [CertificatesRevoked, HandsetLost],
});

export const CALL_KICKS_OFFICIAL_CONSUMER = defineConsumer({
  name: 'secure-chat.call-kicks-officials',
  delivery: 'durable',
  filter: 'identity.user.>',
  expects: [OfficialDisabled],
});

/** Devices an accepted commit dropped from a group are kicked from that group's live call. */
export const CALL_KICKS_GROUP_CONSUMER = defineConsumer({
  name: 'secure-chat.call-kicks-groups',
  delivery: 'durable',
  filter: 'secure-chat.group.>',
  expects: [GroupMembersDropped],
});
