// SFrame keys from an MLS group (RFC 9605 §5.2): the epoch's exporter secret gives the base key, the tree's
// leaves the senders' KIDs. Runs wherever ts-mls runs (Node, the browser bundle).
import { mlsExporter, type CiphersuiteImpl, type ClientState } from 'ts-mls';
import { leavesOf } from '../chat/mls-glue.js';
import type { SFrameEpoch } from './sframe-keyring.js';
import { SFRAME_AES_128_GCM, type SFrameSuite } from './sframe.js';

/** The exporter label of RFC 9605 §5.2. */
export const SFRAME_EXPORTER_LABEL = 'SFrame 1.0 Base Key';

/** `base_key = MLS-Exporter("SFrame 1.0 Base Key", "", AEAD.Nk)` for the group's current epoch. */
export function sframeBaseKey(
  state: ClientState,
  cs: CiphersuiteImpl,
  suite: SFrameSuite = SFRAME_AES_128_GCM,
): Promise<Uint8Array> {
  return mlsExporter(state.keySchedule.exporterSecret, SFRAME_EXPORTER_LABEL, new Uint8Array(), suite.nk, cs);
}

/** What an `SFrameKeyRing` needs of the group's current epoch. */
export async function sframeEpochOf(
  state: ClientState,
  cs: CiphersuiteImpl,
  suite: SFrameSuite = SFRAME_AES_128_GCM,
): Promise<SFrameEpoch> {
  return {
    epoch: state.groupContext.epoch,
    baseKey: await sframeBaseKey(state, cs, suite),
    leaves: leavesOf(state).map((l) => l.leafIndex),
    leafCount: (state.ratchetTree.length + 1) / 2,
    ownLeaf: state.privatePath.leafIndex,
  };
}
