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

/**
 * A TURN server's shared health changed (turn/turn-health.service.ts): `alarm: raised` when it stops being
 * usable — `down` (no STUN answer) or `degraded` (it answers but refuses the probe's allocation, e.g. a wrong
 * shared secret) —, `cleared` when it is `up` again. Calls go on without it on networks where peers reach
 * each other directly. Published once per cluster, by the node whose probe changed the stored health.
 */
export const TurnServerHealthChanged = defineEvent(
  'secure-chat.turn.health-changed',
  z.object({
    server: z.string().min(1).max(300),
    health: z.enum(['up', 'degraded', 'down']),
    alarm: z.enum(['raised', 'cleared']),
    detail: z.string().max(500).nullable(),
  }),
  {
    examples: [
      {
        server: 'turn.example.gov:3478',
        health: 'down',
        alarm: 'raised',
        detail: 'no STUN answer: no answer within 3000 ms',
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
