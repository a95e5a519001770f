import { defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';

/** Open5GS documents changed behind Pakawaaz's back (the reconciler repairs them); at most 100 per event. */
export const DriftDetected = defineEvent(
  'core-network.open5gs.drift-detected',
  z.object({
    drift: z
      .array(
        z.object({
          imsi: z.string().regex(/^\d{15}$/),
          kind: z.enum(['modified', 'deleted']),
          fields: z.array(z.string().max(200)).max(100).readonly(),
        }),
      )
      .max(100),
  }),
  {
    examples: [
      {
        drift: [
          { imsi: '001010000000001', kind: 'modified', fields: ['slice', 'ambr'] },
          { imsi: '001010000000002', kind: 'deleted', fields: [] },
        ],
      },
    ],
  },
);
