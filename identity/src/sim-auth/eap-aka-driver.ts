import { randomBytes } from 'node:crypto';
import type { AkaVectorSource } from '@pakawaaz/core-network';
import { EAP_AKA_DECOY_RANDOM_BYTES, supplyVector, type EapAkaStep } from '@pakawaaz/eap-aka';

export type DrivenEffect = Exclude<EapAkaStep['effect']['kind'], 'need-vector' | 'resync'>;

/**
 * Runs the pure EAP-AKA server's vector effects against core-network until the conversation has something
 * to send (or has ended). `allowed` decides whether an IMSI may authenticate at all (assigned to the right,
 * active official); when it may not, the peer gets a decoy challenge and fails like a wrong SIM would.
 */
export async function driveEapAka(
  step: EapAkaStep,
  vectors: AkaVectorSource,
  allowed: (imsi: string) => Promise<boolean>,
  random: (n: number) => Buffer = randomBytes,
): Promise<EapAkaStep & { effect: { kind: DrivenEffect } }> {
  let current = step;
  for (let round = 0; round < 3; round++) {
    const { effect } = current;
    if (effect.kind === 'need-vector') {
      const vector = (await allowed(effect.imsi)) ? await vectors.vector(effect.imsi) : null;
      current = supplyVector(current.state, vector, random(EAP_AKA_DECOY_RANDOM_BYTES));
    } else if (effect.kind === 'resync') {
      const ok =
        (await allowed(effect.imsi)) && (await vectors.resynchronise(effect.imsi, effect.rand, effect.auts));
      const vector = ok ? await vectors.vector(effect.imsi) : null;
      current = supplyVector(current.state, vector, random(EAP_AKA_DECOY_RANDOM_BYTES));
    } else {
      return current as EapAkaStep & { effect: { kind: DrivenEffect } };
    }
  }
  throw new Error('EAP-AKA server asked for vectors in a loop');
}
