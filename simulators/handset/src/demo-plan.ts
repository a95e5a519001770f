/**
 * What the embedded demo's fleet is made of (pure data): two demo institutions, a handful of officials and
 * ten handsets — most healthy, two on an old security patch (non-compliant under the Health ministry's
 * policy) and one switched off with an OS update waiting for it (a pending command in the NOC).
 */

/** The second demo institution (the first is the one identity seeds on first start). */
export const DEMO_HEALTH_INSTITUTION = 'Demo Ministry of Health';

export type DemoOfficial = { username: string; displayName: string; institution: 'digital' | 'health' };

export const DEMO_OFFICIALS: readonly DemoOfficial[] = [
  { username: 'ayesha.khan', displayName: 'Ayesha Khan', institution: 'digital' },
  { username: 'bilal.ahmed', displayName: 'Bilal Ahmed', institution: 'digital' },
  { username: 'farah.siddiqui', displayName: 'Farah Siddiqui', institution: 'digital' },
  { username: 'hamza.qureshi', displayName: 'Hamza Qureshi', institution: 'digital' },
  { username: 'imran.baloch', displayName: 'Imran Baloch', institution: 'health' },
  { username: 'javeria.malik', displayName: 'Javeria Malik', institution: 'health' },
  { username: 'kamran.shah', displayName: 'Kamran Shah', institution: 'health' },
];

export type DemoHandsetPlan = {
  official: string;
  /** The security patch it runs ('YYYY-MM-DD'); absent: the current one. */
  securityPatch?: string;
  /** Enrols and checks in once, then stays switched off (its command stays pending). */
  offline?: boolean;
};

export const DEMO_HANDSETS: readonly DemoHandsetPlan[] = [
  { official: 'ayesha.khan' },
  { official: 'bilal.ahmed' },
  { official: 'farah.siddiqui' },
  { official: 'hamza.qureshi' },
  { official: 'ayesha.khan', offline: true },
  { official: 'imran.baloch' },
  { official: 'javeria.malik' },
  { official: 'kamran.shah' },
  { official: 'imran.baloch', securityPatch: '2025-03-05' },
  { official: 'kamran.shah', securityPatch: '2025-05-05' },
];

/**
 * The Health ministry's own policy: a handset below the 2025-09 patch is non-compliant at once (no grace), so
 * the NOC shows the two old handsets as non-compliant from their first check-in.
 */
export const DEMO_HEALTH_POLICY = { minimumPatchLevel: '2025-09', graceHours: 0 } as const;

/**
 * The model every demo handset attests: register it (`pakawaaz os models add labphone …`) and publish a build
 * for it (`pakawaaz os publish --model labphone …`) to watch a rollout reach the demo fleet.
 */
export const DEMO_MODEL = 'labphone';

/**
 * The command waiting for the switched-off handset (its idempotency key makes a restart reuse it). It is
 * never delivered; were the handset to come back, its OTA client would install 15.2 only if a labphone 15.2
 * is published in the server's TUF repository, and acknowledge it failed with the reason otherwise.
 */
export const DEMO_PENDING_COMMAND = {
  type: 'update_os',
  params: { version: '15.2' },
  idempotencyKey: 'demo-fleet-pending-update',
} as const;

/** 'YYYY-MM-DD' → the attested YYYYMM and YYYYMMDD patch levels. */
export function attestedPatch(securityPatch: string): {
  osPatchLevel: number;
  vendorPatchLevel: number;
  bootPatchLevel: number;
} {
  const day = Number(securityPatch.replaceAll('-', ''));
  return { osPatchLevel: Math.floor(day / 100), vendorPatchLevel: day, bootPatchLevel: day };
}
