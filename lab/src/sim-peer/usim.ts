import {
  DEFAULT_DELTA,
  freshUsimState,
  IND_COUNT,
  seqIndFromSqn,
  verifyAutn,
  type UsimSqnState,
} from '@pakawaaz/milenage';

/**
 * A software USIM (pure): K, OPc and the sequence-number state of TS 33.102 Annex C.3.2 — one SEQ per IND
 * slot, with Δ bounding how far a SEQ may jump ahead — exactly the semantics of core-network's `verifyAutn`,
 * so the lab's handset accepts and refuses the same AUTNs a real USIM provisioned that way would.
 * State goes in and comes out: nothing here is mutated, so a caller can keep or drop a step at will.
 */

export type Usim = {
  readonly k: Buffer;
  readonly opc: Buffer;
  /** Δ (Annex C.2.2); `MAX_SEQ` disables the check (published test vectors use arbitrary SQNs). */
  readonly delta: number;
  readonly sqn: UsimSqnState;
};

export type UsimConfig = {
  readonly k: Uint8Array;
  readonly opc: Uint8Array;
  readonly delta?: number;
  /** SQNs already accepted (6 bytes each), e.g. a SIM that was used elsewhere before it reached the lab. */
  readonly accepted?: readonly Uint8Array[];
};

export type UsimResult =
  | {
      readonly kind: 'ok';
      readonly res: Buffer;
      readonly ck: Buffer;
      readonly ik: Buffer;
      readonly sqn: Buffer;
    }
  /** The network is authentic but its SQN is stale or too far ahead: AUTS lets it re-synchronise. */
  | { readonly kind: 'sync-failure'; readonly auts: Buffer }
  /** MAC-A did not verify: the network is not authentic (or not ours); nothing is revealed. */
  | { readonly kind: 'mac-failure' };

/** A result with the USIM state to keep: advanced after 'ok', unchanged after a failure. */
export type UsimStep = { readonly result: UsimResult; readonly usim: Usim };

const KEY_BYTES = 16;

function checkKey(name: string, value: Uint8Array): Buffer {
  if (value.length !== KEY_BYTES) throw new RangeError(`${name} must be ${KEY_BYTES} bytes`);
  return Buffer.from(value);
}

/** Records `sqn` as accepted in its IND slot when it is newer than what the slot holds. */
function accept(state: UsimSqnState, sqn: Uint8Array): UsimSqnState {
  const { seq, ind } = seqIndFromSqn(sqn);
  const value = seq * IND_COUNT + ind;
  return { accepted: state.accepted.map((a, i) => (i === ind && value > a ? value : a)) };
}

export function createUsim(config: UsimConfig): Usim {
  const delta = config.delta ?? DEFAULT_DELTA;
  if (!Number.isSafeInteger(delta) || delta < 1) throw new RangeError('Δ must be a positive integer');
  const sqn = (config.accepted ?? []).reduce(accept, freshUsimState());
  return { k: checkKey('K', config.k), opc: checkKey('OPc', config.opc), delta, sqn };
}

/** The same USIM having accepted `sqn` (a test moves a SIM ahead of the network to force a resync). */
export function withAcceptedSqn(usim: Usim, sqn: Uint8Array): Usim {
  return { ...usim, sqn: accept(usim.sqn, sqn) };
}

/** SQN_MS: the highest SQN accepted in any slot, as AUTS carries it (6 bytes). */
export function highestSqn(usim: Usim): Buffer {
  const sqn = Buffer.alloc(6);
  sqn.writeUIntBE(Math.max(0, ...usim.sqn.accepted), 0, 6);
  return sqn;
}

/**
 * RUN AUTHENTICATE (TS 31.102 §7.1.2): MAC-A first, then freshness. Throws only for a RAND or AUTN of the
 * wrong size, which the EAP codec has already ruled out for anything that came off the wire.
 */
export function authenticate(usim: Usim, rand: Uint8Array, autn: Uint8Array): UsimStep {
  const r = verifyAutn({ k: usim.k, opc: usim.opc, rand, autn, usim: usim.sqn, delta: usim.delta });
  if (r.ok) {
    const result = { kind: 'ok', res: r.res, ck: r.ck, ik: r.ik, sqn: r.sqn } as const;
    return { result, usim: { ...usim, sqn: r.usim } };
  }
  if (r.reason === 'mac_failure') return { result: { kind: 'mac-failure' }, usim };
  return { result: { kind: 'sync-failure', auts: r.auts }, usim };
}
