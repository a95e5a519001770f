import { defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';

/**
 * Events device management owns. The domain is planned: nothing publishes them yet, but their contract is
 * declared here, where it belongs, so consumers below (core-network bars the SIM) are checked against it.
 */
const HandsetReport = z.object({
  deviceId: z.string().min(1).max(100),
  /** The IMSI of the SIM in the handset at its last check-in. */
  imsi: z.string().regex(/^\d{15}$/),
  reason: z.string().max(500).optional(),
});

export const DeviceLost = defineEvent('device-mgmt.device.lost', HandsetReport, {
  examples: [
    { deviceId: 'dev-7', imsi: '001010000000012', reason: 'reported by the owner' },
    { deviceId: '4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c', imsi: '001010000000013' },
  ],
});

export const DeviceNonCompliant = defineEvent('device-mgmt.device.non-compliant', HandsetReport, {
  examples: [{ deviceId: 'dev-9', imsi: '001010000000014', reason: 'verified boot state is not green' }],
});
