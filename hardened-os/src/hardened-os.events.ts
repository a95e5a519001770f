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
