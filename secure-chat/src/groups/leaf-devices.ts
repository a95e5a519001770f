import { platformError, type DeviceAuthenticator } from '@pakawaaz/platform';
import type { GroupInfoFacts } from '../mls/mls-facts.js';
import { secureChatError } from '../secure-chat.errors.js';
import type { LeafDevice } from './commit-plan.js';

/**
 * Every leaf of a GroupInfo's tree as a device: its credential's certificates must authenticate a live device
 * (device management's DEVICE_AUTHENTICATOR: issued by our CA, not revoked or expired, device not retired).
 * A certificate a renewal replaced (revoked as superseded, its device still active) is accepted in a leaf: the
 * device keeps its place in its groups until it updates its leaf, and every other member's commits go on.
 */
export async function leafDevices(
  devices: DeviceAuthenticator | null | undefined,
  members: GroupInfoFacts['members'],
): Promise<LeafDevice[]> {
  if (!devices)
    throw platformError(
      'device_management_unavailable',
      'Device management is not running on this node: group members cannot be checked here.',
    );
  return Promise.all(
    members.map(async (m) => {
      const auth = await devices.authenticate(m.certificates);
      const device = auth.ok ? auth.device : auth.replaced;
      if (device)
        return {
          leafIndex: m.leafIndex,
          deviceId: device.deviceId,
          userId: device.userId,
          institutionId: device.institutionId,
        };
      const reason = auth.ok ? 'unknown_device' : auth.reason;
      throw secureChatError(
        'mls_credential_refused',
        `Leaf ${m.leafIndex}: its certificate is not a live device certificate (${reason}).`,
        { leafIndex: m.leafIndex, reason },
      );
    }),
  );
}
