import { randomBytes } from 'node:crypto';
import type { AkaVectorSource } from '@pakawaaz/core-network';
import {
  decodeEap,
  type EapAkaMethod,
  type EapAkaServerState,
  type EapAkaStep,
  EapCodecError,
  encodeEap,
  parseAkaIdentity,
  receiveEapAka,
  startEapAka,
} from '@pakawaaz/eap-aka';
import { driveEapAka, type EapIdentityStore } from '../sim-auth/eap-aka-driver.js';
import { EapConversations } from '../sim-auth/eap-conversations.js';

/**
 * EAP-AKA / EAP-AKA' carried in RADIUS (RFC 3579): the conversation lives under the State attribute; the
 * method follows the peer's identity (a leading '6', '7' or '8' means EAP-AKA', RFC 9048 §3) and a Nak for
 * the other method switches once. Pure but for the vector source and the conversation store.
 */
type Conversation<O> = {
  state: EapAkaServerState;
  method: EapAkaMethod;
  identity: Buffer;
  switched: boolean;
  /** Who the SIM belongs to, as `owner` found it when the vector was fetched. */
  owner: O | null;
};

export type EapOutcome<O> =
  | { kind: 'challenge'; eap: Buffer; state: Buffer }
  | { kind: 'success'; eap: Buffer; imsi: string; identity: Buffer; msk: Buffer; owner: O }
  | { kind: 'failure'; eap: Buffer | null; reason: string }
  | { kind: 'discard' };

const METHOD_NUMBER = { aka: 23, 'aka-prime': 50 } as const satisfies Record<EapAkaMethod, number>;

/**
 * `owner` decides whether an IMSI may authenticate (null: it may not, and the peer gets a decoy challenge);
 * it runs when the vector is fetched, and what it returned is handed back with the success.
 */
export class RadiusEap<O> {
  private readonly conversations = new EapConversations<Conversation<O>>(30_000);

  constructor(
    private readonly vectors: AkaVectorSource,
    private readonly owner: (imsi: string) => Promise<O | null>,
    private readonly networkName: string,
    /** Pseudonyms and fast re-authentication; without it every sign-in is a full one with the IMSI. */
    private readonly identities?: EapIdentityStore,
  ) {}

  async handle(eap: Buffer, state: Buffer | undefined, now = Date.now()): Promise<EapOutcome<O>> {
    if (!state) return this.begin(eap, now);
    const key = state.toString('base64url');
    const c = this.conversations.take(key, now);
    if (!c) return { kind: 'failure', eap: null, reason: 'unknown_state' };
    const switched = this.nakSwitch(c, eap);
    const step = switched ?? receiveEapAka(c.state, eap);
    const next = switched ? { ...c, method: other(c.method), switched: true } : c;
    return this.outcome(await this.drive(step, next), next, key, now);
  }

  get inFlight(): number {
    return this.conversations.size;
  }

  /** Records the owner in the conversation while answering the EAP server's "may this IMSI authenticate". */
  private allowedFor(c: Conversation<O>): (imsi: string) => Promise<boolean> {
    return async (imsi) => (c.owner = await this.owner(imsi)) !== null;
  }

  private drive(step: EapAkaStep, c: Conversation<O>): ReturnType<typeof driveEapAka> {
    return driveEapAka(step, this.vectors, this.allowedFor(c), undefined, this.identities);
  }

  private async begin(eap: Buffer, now: number): Promise<EapOutcome<O>> {
    const identity = identityOf(eap);
    if (!identity) return { kind: 'failure', eap: null, reason: 'no_identity' };
    const method: EapAkaMethod = /^[678]/.test(identity.data.toString('latin1')) ? 'aka-prime' : 'aka';
    const step = this.start(method, identity.identifier, identity.data);
    const c: Conversation<O> = {
      state: step.state,
      method,
      identity: identity.data,
      switched: false,
      owner: null,
    };
    return this.outcome(await this.drive(step, c), c, randomBytes(16).toString('base64url'), now);
  }

  private start(method: EapAkaMethod, identifier: number, identity: Buffer): EapAkaStep {
    return startEapAka(
      {
        method,
        ...(method === 'aka-prime' ? { networkName: this.networkName } : {}),
        ...(this.identities ? { privacy: {} } : {}),
      },
      { identifier, identity },
    );
  }

  /** A Nak (RFC 3748 §5.3.1) proposing the other AKA method restarts the conversation with it, once. */
  private nakSwitch(c: Conversation<O>, eap: Buffer): EapAkaStep | null {
    if (c.switched) return null;
    try {
      const { packet } = decodeEap(eap);
      if (packet.code !== 'response' || packet.body.type !== 'nak') return null;
      if (!packet.body.data.includes(METHOD_NUMBER[other(c.method)])) return null;
      return this.start(other(c.method), packet.identifier, c.identity);
    } catch (err) {
      if (err instanceof EapCodecError) return null;
      throw err;
    }
  }

  private outcome(
    step: Awaited<ReturnType<typeof driveEapAka>>,
    c: Conversation<O>,
    key: string,
    now: number,
  ): EapOutcome<O> {
    const { effect } = step;
    switch (effect.kind) {
      case 'send':
        this.conversations.put(key, { ...c, state: step.state }, now);
        return { kind: 'challenge', eap: effect.packet, state: Buffer.from(key, 'base64url') };
      case 'discard':
        this.conversations.put(key, c, now);
        return { kind: 'discard' };
      case 'success': {
        // Success needs a real vector, which only an IMSI with an owner gets.
        const owner = c.owner;
        if (owner === null) return { kind: 'failure', eap: effect.packet, reason: 'no_owner' };
        const { packet, imsi, msk } = effect;
        return {
          kind: 'success',
          eap: packet,
          imsi,
          identity: accountingName(c.method, effect.identity, imsi),
          msk,
          owner,
        };
      }
      case 'failure':
        return { kind: 'failure', eap: effect.packet, reason: effect.reason };
    }
  }
}

const other = (m: EapAkaMethod): EapAkaMethod => (m === 'aka' ? 'aka-prime' : 'aka');

/**
 * The name the Access-Accept's User-Name gives the NAS for its accounting records: the permanent identity,
 * never a pseudonym or re-authentication identity — those would otherwise be stored next to the Class's IMSI,
 * linking what privacy keeps apart. (The NAS link is wired; the air only ever saw the pseudonym.)
 */
function accountingName(method: EapAkaMethod, identity: Buffer, imsi: string): Buffer {
  if (parseAkaIdentity(method, identity).kind === 'permanent') return identity;
  const text = identity.toString('latin1');
  const at = text.lastIndexOf('@');
  return Buffer.from(`${method === 'aka' ? '0' : '6'}${imsi}${at >= 0 ? text.slice(at) : ''}`, 'latin1');
}

function identityOf(eap: Buffer): { identifier: number; data: Buffer } | null {
  try {
    const { packet } = decodeEap(eap);
    if (packet.code !== 'response' || packet.body.type !== 'identity' || packet.body.data.length === 0)
      return null;
    return { identifier: packet.identifier, data: packet.body.data };
  } catch (err) {
    if (err instanceof EapCodecError) return null;
    throw err;
  }
}

/** An EAP-Failure for a conversation that never got far enough to have one. */
export function eapFailure(identifier: number): Buffer {
  return encodeEap({ code: 'failure', identifier }).bytes;
}
