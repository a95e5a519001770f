import { defineEvent } from '@pakawaaz/platform';
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
 * The alarm of signed updates: the server could not re-sign timestamp metadata (its key is missing, retired
 * or compromised, or the folder is not writable). Handsets refuse expired metadata, so once `expires` passes
 * no update reaches them until an operator acts.
 */
export const OsUpdateMetadataStale = defineEvent(
  'hardened-os.tuf.timestamp-refresh-failed',
  z.object({
    /** When the timestamp metadata still served expires (ISO 8601). */
    expires: z.string().max(32),
    reason: z.string().max(500),
  }),
  { examples: [{ expires: '2026-06-02T00:00:00Z', reason: 'the timestamp key is not in root' }] },
);
