/** An EPS/UMTS AKA authentication vector (TS 33.102 §6.3.2). */
export type AkaVector = {
  readonly rand: Buffer;
  readonly xres: Buffer;
  readonly ck: Buffer;
  readonly ik: Buffer;
  readonly autn: Buffer;
};
