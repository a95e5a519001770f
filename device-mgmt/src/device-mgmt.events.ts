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

/**
 * How a device fared with an OS rollout (hardened-os counts these per ring and halts a rollout whose failure
 * rate passes its threshold). Each outcome at most once per device and rollout: `offered` when the
 * `update_os` command is queued; `failed` when the handset acknowledges it failed, or when the device comes
 * back on the new build non-compliant for its boot (BOOT_KEY_COMPROMISED, BOOT_STATE) or its first
 * attestation after the update is refused; `updated` when a check-in reports the target build booted. A
 * device may have `updated` and then `failed` (its attestation after the update was refused): count it failed.
 * Recorded with the decision in the database and published from there (at least once, same event id).
 */
export const DeviceOsUpdate = defineEvent(
  'device-mgmt.device.os-update',
  z.object({
    deviceId: z.string().min(1).max(100),
    institutionId: z.string().max(100).nullable(),
    rolloutId: z.string().min(1).max(100),
    releaseId: z.string().min(1).max(100),
    outcome: z.enum(['offered', 'updated', 'failed']),
    detail: z.string().max(1000).optional(),
    at: z.iso.datetime({ offset: true }),
  }),
  {
    examples: [
      {
        deviceId: '4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c',
        institutionId: '11111111-1111-4111-8111-111111111111',
        rolloutId: 'r-2026-12-pilot',
        releaseId: 'rel-pkz-2026-12',
        outcome: 'offered',
        at: '2026-12-04T10:00:00.000Z',
      },
      {
        deviceId: 'dev-7',
        institutionId: null,
        rolloutId: 'r-2026-12-pilot',
        releaseId: 'rel-pkz-2026-12',
        outcome: 'failed',
        detail: 'install verification failed',
        at: '2026-12-04T10:05:00.000Z',
      },
    ],
  },
);
export type DeviceOsUpdateEvent = z.output<typeof DeviceOsUpdate.schema>;
