import {
  attributeBytes,
  decryptMppeKey,
  eapMessage,
  MICROSOFT_VENDOR_ID,
  MPPE_VENDOR_TYPES,
  mppeKeysFromMsk,
  vendorAttributes,
  type RadiusPacket,
} from '@pakawaaz/radius';
import { eapIdentityRequest, receiveAsPeer, type EapAkaPeerState } from '../sim-peer/eap-aka-peer.js';
import type { Nas, NasAttribute, NasReply } from './radius-nas.js';

/**
 * EAP over RADIUS from the NAS's side (RFC 3579): the NAS asks the handset for its identity itself, then
 * relays EAP between the peer and the server, echoing State, until Access-Accept or Access-Reject. On
 * Accept it decrypts MS-MPPE-Recv/Send-Key, as an access point does to key the link with the peer's MSK.
 */

export type MppeKeys = { readonly recvKey: Buffer; readonly sendKey: Buffer };

export type EapAkaOverRadius = {
  /** 'abandoned': a challenge the peer would not answer (it discarded it), so the NAS gave up. */
  readonly outcome: 'accept' | 'reject' | 'abandoned';
  /** The peer after the last packet: its USIM state must be kept for the SIM's next authentication. */
  readonly peer: EapAkaPeerState;
  /** Access-Requests sent. */
  readonly rounds: number;
  readonly reply: RadiusPacket;
  /** The Accept's MPPE keys, decrypted; null when absent or when they do not decrypt. */
  readonly mppe: MppeKeys | null;
  /** Whether the MPPE keys are the halves of the MSK the peer derived (RFC 5216 §2.3 split). */
  readonly keysMatch: boolean;
};

/** EAP-AKA takes two round trips (three after a resync); more means a loop the NAS should not follow. */
const MAX_ROUNDS = 8;

function mppeKeys(reply: NasReply, secret: Buffer): MppeKeys | null {
  const vsas = vendorAttributes(reply.packet, MICROSOFT_VENDOR_ID) ?? [];
  const key = (type: number): Buffer | null => {
    const value = vsas.find((v) => v.vendorType === type)?.value;
    const { requestAuthenticator } = reply;
    return value ? decryptMppeKey({ value, secret, requestAuthenticator }) : null;
  };
  const recvKey = key(MPPE_VENDOR_TYPES['MS-MPPE-Recv-Key']);
  const sendKey = key(MPPE_VENDOR_TYPES['MS-MPPE-Send-Key']);
  return recvKey && sendKey ? { recvKey, sendKey } : null;
}

function matches(mppe: MppeKeys | null, peer: EapAkaPeerState): boolean {
  if (!mppe || !peer.keys) return false;
  const expected = mppeKeysFromMsk(peer.keys.msk);
  return mppe.recvKey.equals(expected.recvKey) && mppe.sendKey.equals(expected.sendKey);
}

/** Accept or Reject: the peer sees the EAP-Success or EAP-Failure inside, then the keys are compared. */
function finish(reply: NasReply, peer: EapAkaPeerState, rounds: number, secret: Buffer): EapAkaOverRadius {
  const eap = eapMessage(reply.packet);
  const last = eap ? receiveAsPeer(peer, eap).state : peer;
  const accept = reply.packet.code === 'Access-Accept';
  const mppe = accept ? mppeKeys(reply, secret) : null;
  const outcome = accept ? 'accept' : 'reject';
  return { outcome, peer: last, rounds, reply: reply.packet, mppe, keysMatch: matches(mppe, last) };
}

const abandoned = (reply: NasReply, peer: EapAkaPeerState, rounds: number): EapAkaOverRadius => ({
  outcome: 'abandoned',
  peer,
  rounds,
  reply: reply.packet,
  mppe: null,
  keysMatch: false,
});

export async function runEapAka(
  nas: Nas,
  secret: Buffer,
  start: EapAkaPeerState,
  extra: readonly NasAttribute[],
): Promise<EapAkaOverRadius> {
  const first = receiveAsPeer(start, eapIdentityRequest(0));
  if (first.effect.kind !== 'send') throw new Error('the peer did not answer EAP-Request/Identity');
  let peer = first.state;
  let eap = first.effect.packet;
  let state: Buffer | undefined;
  const userName = peer.identity.toString('utf8');
  for (let rounds = 1; rounds <= MAX_ROUNDS; rounds++) {
    const attributes: NasAttribute[] = [
      { type: 'User-Name', value: userName },
      { type: 'EAP-Message', value: eap },
      ...(state ? [{ type: 'State', value: state } as const] : []),
      ...extra,
    ];
    const reply = await nas.accessRequest(attributes);
    const request = reply.packet.code === 'Access-Challenge' ? eapMessage(reply.packet) : undefined;
    if (!request) return finish(reply, peer, rounds, secret);
    const step = receiveAsPeer(peer, request);
    peer = step.state;
    if (step.effect.kind !== 'send') return abandoned(reply, peer, rounds);
    eap = step.effect.packet;
    state = attributeBytes(reply.packet, 'State');
  }
  throw new Error(`EAP did not finish within ${MAX_ROUNDS} Access-Challenges`);
}
