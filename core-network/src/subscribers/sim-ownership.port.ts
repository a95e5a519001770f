/** Whose SIM an IMSI is: what identity needs to bind the SIM factor to an official. */
export type SimOwner = {
  readonly imsi: string;
  readonly userId: string;
  readonly status: 'active' | 'barred';
};

/**
 * Port identity uses to tie a SIM to its official (EAP-AKA over RADIUS and HTTPS). Null for a SIM that is not
 * assigned to anyone.
 */
export type SimOwnership = {
  ownerOf(imsi: string): Promise<SimOwner | null>;
  /** The SIMs assigned to an official (named by any of these references: id, username), barred ones included. */
  simsOf(userRefs: readonly string[]): Promise<SimOwner[]>;
};

export const SIM_OWNERSHIP = Symbol.for('pakawaaz.core-network.SimOwnership');
