import { randomInt } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AKA_VECTOR_SOURCE,
  SIM_OWNERSHIP,
  type AkaVectorSource,
  type SimOwnership,
} from '@pakawaaz/core-network';
import { capabilityNotEnabled, RolloutGate } from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { LoginService, type LoginStep } from '../auth/login.service.js';
import { LoginTickets } from '../auth/login-tickets.service.js';
import type { ClientMeta } from '../sessions/sessions.service.js';
import { type EapAkaMethod, type EapAkaServerState, receiveEapAka, startEapAka } from '@pakawaaz/eap-aka';
import { driveEapAka } from './eap-aka-driver.js';
import { EapConversations } from './eap-conversations.js';
import { EapIdentitiesService } from './eap-identities.service.js';

/** `owner` lists the ids a subscriber may name the official by: the user id, or (older assignments) the username. */
/** `institutionId`: the official's, for the rollout gate (undefined: no usable account, nothing to gate). */
type Conversation = {
  state: EapAkaServerState;
  ticket: string;
  owner: readonly string[];
  institutionId: string | null | undefined;
};

export type SimStep =
  { status: 'continue'; conversation: string; eap: string } | ({ eap: string } & LoginStep);

/**
 * The SIM factor over HTTPS: EAP-AKA / EAP-AKA' messages (base64) in JSON, so an app on the handset can use
 * the SIM through the telephony stack without joining the network. The SIM must be assigned to the official
 * of the login ticket and not barred; anything else fails exactly like a wrong SIM.
 */
@Injectable()
export class SimAuthService {
  private readonly conversations = new EapConversations<Conversation>();

  constructor(
    private readonly login: LoginService,
    private readonly tickets: LoginTickets,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly identities: EapIdentitiesService,
    private readonly rollout: RolloutGate,
    @Optional() @Inject(AKA_VECTOR_SOURCE) private readonly vectors?: AkaVectorSource,
    @Optional() @Inject(SIM_OWNERSHIP) private readonly sims?: SimOwnership,
  ) {}

  async start(
    input: { ticket: string; method: EapAkaMethod; identity?: string | undefined },
    meta: ClientMeta,
  ): Promise<SimStep> {
    const { vectors } = this.available();
    // A possession-first ticket may name no usable account: the SIM then fails like a wrong one.
    const { user, ticket } = await this.tickets.openFactor(input.ticket, meta);
    // After the password the official is known to the caller: say plainly that the phase is the reason.
    // Before it (possession first), a refused SIM fails like a wrong one (owns() below).
    if (user && ticket.amr.includes('pwd')) {
      const verdict = await this.rollout.check(user, 'sim-sign-in');
      if (!verdict.allowed) throw capabilityNotEnabled(verdict);
    }
    const step = startEapAka(
      {
        method: input.method,
        ...(input.method === 'aka-prime' ? { networkName: this.config.radius.eapNetworkName } : {}),
        privacy: {},
      },
      {
        identifier: randomInt(256),
        ...(input.identity ? { identity: Buffer.from(input.identity, 'utf8') } : {}),
      },
    );
    // SIMs are officials': for an operator's ticket no SIM matches (it fails like a wrong SIM).
    const owner = user ? (user.kind === 'official' ? [user.id, user.username] : []) : [ticket.sub];
    const institutionId = user?.institutionId;
    const driven = await driveEapAka(
      step,
      vectors,
      (imsi) => this.owns({ owner, institutionId }, imsi),
      undefined,
      this.identities,
    );
    if (driven.effect.kind !== 'send')
      throw identityError('sim_conversation_invalid', 'The SIM conversation could not start.');
    const conversation = this.conversations.create(
      { state: driven.state, ticket: input.ticket, owner, institutionId },
      Date.now(),
    );
    return { status: 'continue', conversation, eap: driven.effect.packet.toString('base64') };
  }

  async continue(input: { conversation: string; eap: Buffer }, meta: ClientMeta): Promise<SimStep> {
    const { vectors } = this.available();
    const c = this.conversations.take(input.conversation, Date.now());
    if (!c) throw identityError('sim_conversation_invalid', 'This SIM conversation expired: start it again.');
    const driven = await driveEapAka(
      receiveEapAka(c.state, input.eap),
      vectors,
      (imsi) => this.owns(c, imsi),
      undefined,
      this.identities,
    );
    const { effect } = driven;
    switch (effect.kind) {
      case 'send':
        this.conversations.put(input.conversation, { ...c, state: driven.state }, Date.now());
        return {
          status: 'continue',
          conversation: input.conversation,
          eap: effect.packet.toString('base64'),
        };
      case 'discard':
        this.conversations.put(input.conversation, c, Date.now());
        throw identityError(
          'sim_conversation_invalid',
          'That EAP message does not belong to this conversation.',
        );
      case 'success':
        // Re-checked after the challenge: the SIM may have been barred or reassigned meanwhile.
        if (!(await this.owns(c, effect.imsi)))
          return this.login.factorFailed(c.ticket, 'sim:not-owner', meta);
        return {
          eap: effect.packet.toString('base64'),
          ...(await this.login.addFactor(c.ticket, 'sim', meta)),
        };
      case 'failure':
        return this.login.factorFailed(c.ticket, `sim:${effect.reason}`, meta);
    }
  }

  private async owns(c: Pick<Conversation, 'owner' | 'institutionId'>, imsi: string): Promise<boolean> {
    const owner = await this.sims?.ownerOf(imsi);
    if (!owner || !c.owner.includes(owner.userId) || owner.status !== 'active') return false;
    // The official's institution's rollout phase must enable SIM sign-in (a per-node memory lookup).
    return c.institutionId === undefined
      ? true
      : this.rollout.allows({ institutionId: c.institutionId }, 'sim-sign-in');
  }

  private available(): { vectors: AkaVectorSource } {
    if (!this.vectors || !this.sims)
      throw identityError(
        'factor_not_available',
        'The SIM factor needs the core-network domain on this node (PAKAWAAZ_DOMAINS).',
      );
    return { vectors: this.vectors };
  }
}
