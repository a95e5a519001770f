import { randomBytes, randomUUID } from 'node:crypto';
import type { DevicePrincipal } from '@pakawaaz/platform';
import type { PendingSend } from '../../src/delivery/send-group-commit.js';

/** A device as the send batch sees it (no certificate: the batch reads only ids). */
export const sendingDevice = (): DevicePrincipal =>
  ({ deviceId: randomUUID(), userId: randomUUID(), institutionId: null }) as unknown as DevicePrincipal;

/**
 * A send whose MLS framing was read (opaque bytes, the epoch the framing gave: 5), with a fresh clientId. The
 * send batch's specs use it.
 */
export const pendingSend = (
  device: DevicePrincipal,
  groupId: string,
  over: Partial<PendingSend> = {},
): PendingSend => ({
  device,
  groupId,
  clientId: `c-${randomUUID()}`,
  kind: 'application',
  epoch: 5n,
  message: randomBytes(48),
  ...over,
});
