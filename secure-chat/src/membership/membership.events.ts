import { defineConsumer, expectEvent } from '@pakawaaz/platform';
import { z } from 'zod';

/*
 * What takes a device out of chat, read by shape (no import across domains): device management's revocations
 * and lost reports, identity's disabled and enabled officials.
 */
const id = z.string().min(1).max(100);

export const CertificatesRevoked = expectEvent(
  'device-mgmt.device.certificates-revoked',
  z.object({ deviceId: id, reason: z.enum(['wiped', 'lost', 'retired', 'superseded']) }),
);
export const HandsetLost = expectEvent('device-mgmt.device.lost', z.object({ deviceId: id, userId: id }));
export const OfficialDisabled = expectEvent('identity.user.disabled', z.object({ userId: id }));
export const OfficialEnabled = expectEvent('identity.user.enabled', z.object({ userId: id }));

/** One node removes each device (durable): the proposals are queued once. */
export const DEVICE_REMOVAL_CONSUMER = defineConsumer({
  name: 'secure-chat.device-removals',
  delivery: 'durable',
  filter: 'device-mgmt.device.>',
  expects: [CertificatesRevoked, HandsetLost],
});

export const OFFICIAL_STATUS_CONSUMER = defineConsumer({
  name: 'secure-chat.official-status',
  delivery: 'durable',
  filter: 'identity.user.>',
  expects: [OfficialDisabled, OfficialEnabled],
});
