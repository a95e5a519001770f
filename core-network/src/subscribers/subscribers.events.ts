import { defineConsumer, defineEvent, expectEvent } from '@pakawaaz/platform';
import { z } from 'zod';

const Imsi = z.string().regex(/^\d{15}$/);

export const SubscriberBarred = defineEvent(
  'core-network.subscriber.barred',
  z.object({ imsi: Imsi, userId: z.string().min(1).max(128), reason: z.string().min(1).max(1_000) }),
  {
    examples: [
      { imsi: '001010000000001', userId: '3f1c9a52-7a4e-4c1b-9f0e-2b8d6c4a1e07', reason: 'lost on travel' },
      {
        imsi: '001010000000002',
        userId: 'u-1042',
        reason: 'handset reported lost (device dev-7): reported by the owner',
      },
    ],
  },
);

/**
 * Flows up the floors arrive as events: device-mgmt reports a lost or non-compliant handset with the IMSI it
 * was enrolled with and its official (device-mgmt owns these events; this is what core-network reads of them).
 * The SIM is barred only if it is assigned to that official.
 */
const DeviceEventData = z.object({
  imsi: Imsi,
  userId: z.string().min(1).max(100),
  deviceId: z.string().max(100).optional(),
  reason: z.string().max(500).optional(),
});
export const DeviceLost = expectEvent('device-mgmt.device.lost', DeviceEventData);
export const DeviceNonCompliant = expectEvent('device-mgmt.device.non-compliant', DeviceEventData);

export const DEVICE_BARRING_CONSUMER = defineConsumer({
  name: 'core-network.device-barring',
  delivery: 'durable',
  filter: 'device-mgmt.>',
  expects: [DeviceLost, DeviceNonCompliant],
});

/**
 * The identity facts core-network copies onto an official's subscribers. Identity owns these events; every
 * fact change carries the user's current name and institution and the time they were current (`factsAt`).
 */
const OfficialFacts = z.object({
  userId: z.string().min(1).max(128),
  displayName: z.string().min(1).max(200),
  institutionId: z.string().max(64).nullable(),
  factsAt: z.iso.datetime({ offset: true }),
});
export const OfficialUpdated = expectEvent('identity.user.updated', OfficialFacts);
export const OfficialDisabled = expectEvent('identity.user.disabled', OfficialFacts);
export const OfficialEnabled = expectEvent('identity.user.enabled', OfficialFacts);

export const OFFICIAL_FACTS_CONSUMER = defineConsumer({
  name: 'core-network.official-facts',
  delivery: 'durable',
  filter: 'identity.user.>',
  expects: [OfficialUpdated, OfficialDisabled, OfficialEnabled],
});
