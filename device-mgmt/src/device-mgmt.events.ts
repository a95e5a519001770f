import { defineConsumer, defineEvent, expectEvent } from '@pakawaaz/platform';
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

/**
 * A device's certificates were revoked (retired, wipe acknowledged, superseded by a renewal…), published once
 * the revocation has committed. Every node's embedded MQTT broker closes the connections those certificates
 * hold (all of the device's, when the device is retired or wiped); other slices may follow.
 */
export const DeviceCertificatesRevoked = defineEvent(
  'device-mgmt.device.certificates-revoked',
  z.object({
    deviceId: z.string().min(1).max(100),
    /** Serial numbers, lower-case hex without leading zeros (as the CRL and the devices API show them). */
    serials: z.array(z.string().regex(/^[0-9a-f]{1,40}$/)).max(100),
    reason: z.enum(['wiped', 'lost', 'retired', 'superseded']),
  }),
  {
    examples: [
      { deviceId: '4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c', serials: ['5f1e2d3c4b5a6978'], reason: 'retired' },
      { deviceId: 'dev-7', serials: [], reason: 'wiped' },
    ],
  },
);
export type DeviceCertificatesRevokedEvent = z.output<typeof DeviceCertificatesRevoked.schema>;

/** Each node's embedded broker closes revoked devices' connections: broadcast, nothing kept past the node. */
export const MQTT_REVOCATION_CONSUMER = defineConsumer({
  name: 'device-mgmt.mqtt-revocations',
  delivery: 'broadcast',
  filter: DeviceCertificatesRevoked.type,
  expects: [DeviceCertificatesRevoked],
});

/** hardened-os marked a verified-boot key compromised (its event, read by shape: no import across domains). */
export const BootKeyCompromised = expectEvent(
  'hardened-os.boot-key.compromised',
  z.object({ model: z.string().min(1).max(48), digest: z.string().regex(/^[0-9a-fA-F]{64}$/) }),
);

/** The handsets booting with a compromised key are re-evaluated once, by one node: durable. */
export const BOOT_KEY_COMPROMISED_CONSUMER = defineConsumer({
  name: 'device-mgmt.boot-key-compromised',
  delivery: 'durable',
  filter: BootKeyCompromised.type,
  expects: [BootKeyCompromised],
});
