import { defineConsumer, defineEvent, expectEvent } from '@pakawaaz/platform';
import { z } from 'zod';

/**
 * Events hardened-os owns. A verified-boot key marked compromised: device-mgmt re-evaluates at once every
 * handset whose attestation carries it (rather than waiting for each one's next check-in). Published once
 * the change has committed.
 */
export const BootKeyCompromised = defineEvent(
  'hardened-os.boot-key.compromised',
  z.object({
    /** The codename the key was registered for (a compromised key is refused on every model). */
    model: z.string().min(1).max(48),
    /** SHA-256 of the verified-boot key, lower-case hex. */
    digest: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  { examples: [{ model: 'shiba', digest: 'a1'.repeat(32) }] },
);

/**
 * A rollout halted: automatically (its failure rate passed the threshold) or by an os-admin. Handsets are
 * offered its release no more; the reason reads for a human. Published once the halt has committed.
 */
export const RolloutHalted = defineEvent(
  'hardened-os.rollout.halted',
  z.object({
    rolloutId: z.string().uuid(),
    releaseId: z.string().uuid(),
    model: z.string().min(1).max(48),
    reason: z.string().min(1).max(500),
    automatic: z.boolean(),
    at: z.iso.datetime({ offset: true }),
  }),
  {
    examples: [
      {
        rolloutId: '0f6c2a5e-3b1d-4c7e-9a8f-1d2e3f4a5b6c',
        releaseId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        model: 'shiba',
        reason: '3 of 25 updated devices failed (12%) in stage early 10%; threshold 5%',
        automatic: true,
        at: '2026-12-04T10:05:00.000Z',
      },
    ],
  },
);

/** device-mgmt's report of a device's OS update (read by shape: no import across domains). */
export const DeviceOsUpdate = expectEvent(
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
);

/** Each outcome is counted once, by one node: durable. */
export const OS_UPDATE_OUTCOMES_CONSUMER = defineConsumer({
  name: 'hardened-os.os-update-outcomes',
  delivery: 'durable',
  filter: DeviceOsUpdate.type,
  expects: [DeviceOsUpdate],
});

/**
 * The alarm of signed updates: the server could not re-sign timestamp metadata (its key is missing, retired
 * or compromised, or the folder is not writable). Handsets refuse expired metadata, so once `expires` passes
 * no update reaches them until an operator acts.
 */
export const OsUpdateMetadataStale = defineEvent(
  'hardened-os.tuf.timestamp-refresh-failed',
  z.object({
    /**
     * When the metadata concerned expires (ISO 8601): timestamp or snapshot the server could not re-sign, or
     * targets/root (offline keys) expiring within 14 days — `reason` names the role.
     */
    expires: z.string().max(32),
    reason: z.string().max(500),
  }),
  { examples: [{ expires: '2026-06-02T00:00:00Z', reason: 'the timestamp key is not in root' }] },
);
