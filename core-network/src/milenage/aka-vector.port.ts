import type { AkaVector } from '@pakawaaz/milenage';

// The vector is Milenage's (TS 33.102); the port that hands it out is core-network's.
export type { AkaVector };

/**
 * Port identity uses for EAP-AKA/AKA': core-network hands out vectors for an IMSI; K and OPc never leave it.
 * `vector` returns null for an unknown, unassigned or barred SIM (the caller must not learn which).
 */
export type AkaVectorSource = {
  vector(imsi: string): Promise<AkaVector | null>;
  /** Re-synchronises the SQN from an AUTS (TS 33.102 §6.3.5); false when AUTS does not verify. */
  resynchronise(imsi: string, rand: Buffer, auts: Buffer): Promise<boolean>;
};

export const AKA_VECTOR_SOURCE = Symbol.for('pakawaaz.core-network.AkaVectorSource');
