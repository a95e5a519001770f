import { randomBytes } from 'node:crypto';
import type { AkaVectorSource } from '@pakawaaz/core-network';
import {
  EAP_AKA_RANDOM_BYTES,
  failEapAka,
  supplyIdentity,
  supplyVector,
  type EapAkaMethod,
  type EapAkaPrivacyOutcome,
  type EapAkaStep,
  type KnownIdentity,
} from '@pakawaaz/eap-aka';

export type DrivenEffect = Exclude<EapAkaStep['effect']['kind'], 'need-vector' | 'resync' | 'lookup'>;

/** Pseudonyms and fast re-authentication identities, shared by every node (identity's database). */
export type EapIdentityStore = {
  /** The live (unexpired) pseudonym or re-authentication identity, or null. */
  find(method: EapAkaMethod, kind: 'pseudonym' | 'reauth', identity: Buffer): Promise<KnownIdentity | null>;
  /** Consumes `privacy.used` and stores what was handed out, atomically; false when `used` was gone. */
  commit(method: EapAkaMethod, imsi: string, privacy: EapAkaPrivacyOutcome): Promise<boolean>;
};

/**
 * Runs the pure EAP-AKA server's effects against core-network (vectors) and the identity store until the
 * conversation has something to send (or has ended). `allowed` decides whether an IMSI may authenticate at
 * all (assigned to the right, active official); when it may not, the peer gets a decoy challenge and fails
 * like a wrong SIM would, and a pseudonym or re-authentication identity of it counts as unknown.
 */
export async function driveEapAka(
  step: EapAkaStep,
  vectors: AkaVectorSource,
  allowed: (imsi: string) => Promise<boolean>,
  random: (n: number) => Buffer = randomBytes,
  identities?: EapIdentityStore,
): Promise<EapAkaStep & { effect: { kind: DrivenEffect } }> {
  let current = step;
  for (let round = 0; round < 4; round++) {
    const { effect, state } = current;
    if (effect.kind === 'need-vector') {
      const vector = (await allowed(effect.imsi)) ? await vectors.vector(effect.imsi) : null;
      current = supplyVector(state, vector, random(EAP_AKA_RANDOM_BYTES));
    } else if (effect.kind === 'resync') {
      const ok =
        (await allowed(effect.imsi)) && (await vectors.resynchronise(effect.imsi, effect.rand, effect.auts));
      const vector = ok ? await vectors.vector(effect.imsi) : null;
      current = supplyVector(state, vector, random(EAP_AKA_RANDOM_BYTES));
    } else if (effect.kind === 'lookup') {
      const found = identities
        ? await identities.find(state.settings.method, effect.of, effect.identity)
        : null;
      const known = found && (await allowed(found.imsi)) ? found : null;
      current = supplyIdentity(state, known, random(EAP_AKA_RANDOM_BYTES));
    } else if (effect.kind === 'success' && effect.privacy && identities) {
      const stored = await identities.commit(state.settings.method, effect.imsi, effect.privacy);
      return (stored ? current : failEapAka(state, 'identity_reused')) as EapAkaStep & {
        effect: { kind: DrivenEffect };
      };
    } else {
      return current as EapAkaStep & { effect: { kind: DrivenEffect } };
    }
  }
  throw new Error('EAP-AKA server asked for vectors in a loop');
}
