import { defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';

/**
 * Events device management owns; core-network consumes them and bars the SIM.
 */
const HandsetReport = z.object({
  deviceId: z.string().min(1).max(100),
  /** The official the handset was enrolled for: the SIM is barred only if it is assigned to them. */
  userId: z.string().min(1).max(100),
  /**
   * The IMSI the handset was enrolled with (bound by the enrolment token), never one the handset reports:
   * a handset must not choose which SIM gets barred.
   */
  imsi: z.string().regex(/^\d{15}$/),
  reason: z.string().max(500).optional(),
});

export const DeviceLost = defineEvent('device-mgmt.device.lost', HandsetReport, {
  examples: [
    { deviceId: 'dev-7', userId: 'u-7', imsi: '001010000000012', reason: 'reported by the owner' },
    { deviceId: '4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c', userId: 'u-8', imsi: '001010000000013' },
  ],
});

export const DeviceNonCompliant = defineEvent('device-mgmt.device.non-compliant', HandsetReport, {
  examples: [
    { deviceId: 'dev-9', userId: 'u-9', imsi: '001010000000014', reason: 'verified boot state is not green' },
  ],
});
