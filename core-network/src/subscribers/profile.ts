import { z } from 'zod';

export const BITRATE_UNITS = ['bps', 'Kbps', 'Mbps', 'Gbps', 'Tbps'] as const;
export type BitrateUnit = (typeof BITRATE_UNITS)[number];

export const Bitrate = z
  .object({ value: z.number().int().min(1).max(1_000_000), unit: z.enum(BITRATE_UNITS) })
  .strict();
export const Ambr = z.object({ downlink: Bitrate, uplink: Bitrate }).strict();

const Arp = z
  .object({
    priorityLevel: z.number().int().min(1).max(15).default(8),
    preEmptionCapability: z.enum(['enabled', 'disabled']).default('disabled'),
    preEmptionVulnerability: z.enum(['enabled', 'disabled']).default('disabled'),
  })
  .strict();

export const ONE_DEFAULT_DNN = 'at most one DNN per slice can be the default';

export const ProfileSession = z
  .object({
    dnn: z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/i, 'DNN: letters, digits, dots and dashes'),
    type: z.enum(['IPv4', 'IPv6', 'IPv4v6']).default('IPv4'),
    /**
     * The slice's default DNN (at most one per slice; none: the first). Open5GS has no such field: it takes the
     * first session of a slice as the default DNN (src/udr/nudr-handler.c) and the first session of the first
     * slice as the default APN (src/hss/hss-s6a-path.c, Context-Identifier 1), so the document renders it first.
     */
    default: z.boolean().optional(),
    /** 5QI (TS 23.501 Table 5.7.4-1); 9 = default non-GBR internet. */
    qos: z
      .object({ index: z.number().int().min(1).max(255).default(9), arp: Arp.prefault({}) })
      .strict()
      .prefault({}),
    ambr: Ambr,
  })
  .strict();

export const ProfileSlice = z
  .object({
    sst: z.number().int().min(1).max(255),
    sd: z
      .string()
      .regex(/^[0-9a-fA-F]{6}$/, 'SD: 6 hex digits')
      .optional(),
    default: z.boolean().default(false),
    // Open5GS asserts above 4 sessions (DNNs) per slice (OGS_MAX_NUM_OF_SESS).
    sessions: z
      .array(ProfileSession)
      .min(1)
      .max(4)
      .refine((xs) => xs.filter((x) => x.default === true).length <= 1, {
        message: ONE_DEFAULT_DNN,
      }),
  })
  .strict();

/** What an official's SIM is entitled to: UE AMBR and the slices/DNNs with QoS (Open5GS subscriber model). */
export const SubscriberProfile = z
  .object({
    ambr: Ambr,
    slices: z.array(ProfileSlice).min(1).max(8),
  })
  .strict()
  .refine((p) => p.slices.filter((s) => s.default).length === 1, {
    message: 'exactly one slice must be the default',
    path: ['slices'],
  });

export type SubscriberProfile = z.infer<typeof SubscriberProfile>;

/** The profile every newly assigned SIM gets unless another is named: one eMBB slice, DNN `internet`. */
export const DEFAULT_PROFILE_NAME = 'default';
export const DEFAULT_PROFILE: SubscriberProfile = SubscriberProfile.parse({
  ambr: { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } },
  slices: [
    {
      sst: 1,
      default: true,
      sessions: [
        {
          dnn: 'internet',
          ambr: { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } },
        },
      ],
    },
  ],
});
