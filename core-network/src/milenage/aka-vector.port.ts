/** An EPS/UMTS AKA authentication vector (TS 33.102 §6.3.2). */
export type AkaVector = {
  readonly rand: Buffer;
  readonly xres: Buffer;
  readonly ck: Buffer;
  readonly ik: Buffer;
  readonly autn: Buffer;
};

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
