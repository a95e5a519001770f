// Generic MLS glue the chat client needs and @pakawaaz/mls does not have yet (candidates to move there).
import {
  decodeMlsMessage,
  encodeMlsMessage,
  type CiphersuiteImpl,
  type ClientState,
  type Credential,
  type MLSMessage,
} from 'ts-mls';
import { createGroupInfoWithRatchetTree } from 'ts-mls/createCommit.js';
import { chatSuite, MLS_LIMITS as LIMITS, MlsInputError } from '@pakawaaz/mls';
import { b64u, fromB64u } from './bytes.js';
import { nodeP256Signature } from './node-signature.js';
import { webCryptoSignature } from './webcrypto-signature.js';

/** The contract's size limits (@pakawaaz/mls), checked before decoding. */
export const MLS_LIMITS = {
  message: LIMITS.maxMessageBytes,
  keyPackage: LIMITS.maxKeyPackageBytes,
  groupInfoOrWelcome: Math.max(LIMITS.maxGroupInfoBytes, LIMITS.maxWelcomeBytes),
} as const;

let suite: Promise<CiphersuiteImpl> | undefined;
/**
 * The one cipher suite of secure chat (@pakawaaz/mls), with P-256 signatures on node:crypto, or through a
 * registered non-extractable WebCrypto key (a desktop device).
 */
export const chatCiphersuite = (): Promise<CiphersuiteImpl> =>
  (suite ??= chatSuite().then((cs) => ({
    ...cs,
    signature: webCryptoSignature(nodeP256Signature(cs.signature)),
  })));

export { b64u, fromB64u } from './bytes.js';

/** An MLSMessage as it travels: base64url (no padding) of its TLS encoding. */
export const mlsToWire = (m: MLSMessage): string => b64u(encodeMlsMessage(m));

/** Reads a base64url MLSMessage, refusing oversized or trailing input before and after decoding. */
export function mlsFromWire(text: string, maxBytes: number): MLSMessage {
  if (
    typeof text !== 'string' ||
    text.length > Math.ceil((maxBytes * 4) / 3) ||
    !/^[A-Za-z0-9_-]*$/.test(text)
  )
    throw new MlsInputError('mls_too_large', `an MLS message here is at most ${maxBytes} bytes of base64url`);
  const bytes = fromB64u(text);
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded[1] !== bytes.length) throw new MlsInputError('mls_malformed', 'not one MLSMessage');
  return decoded[0];
}

/** The GroupInfo of a state's epoch with the `ratchet_tree` extension, as the delivery service stores it. */
export async function groupInfoOf(state: ClientState, cs: CiphersuiteImpl): Promise<MLSMessage> {
  const groupInfo = await createGroupInfoWithRatchetTree(
    state.groupContext,
    state.confirmationTag,
    state,
    state.ratchetTree,
    [],
    cs,
  );
  return { version: 'mls10', wireformat: 'mls_group_info', groupInfo };
}

export type Leaf = { leafIndex: number; credential: Credential; signaturePublicKey: Uint8Array };

/** The occupied leaves of a ratchet tree with their leaf index (leaves sit at even node indexes). */
export function leavesOf(state: Pick<ClientState, 'ratchetTree'>): Leaf[] {
  const out: Leaf[] = [];
  state.ratchetTree.forEach((node, i) => {
    if (i % 2 === 0 && node?.nodeType === 'leaf')
      out.push({
        leafIndex: i / 2,
        credential: node.leaf.credential,
        signaturePublicKey: node.leaf.signaturePublicKey,
      });
  });
  return out;
}

/** The group, epoch and content type a handshake or application message names in the clear. */
export function framingOf(m: MLSMessage): { groupId: string; epoch: bigint; contentType: string } | null {
  if (m.wireformat === 'mls_public_message') {
    const c = m.publicMessage.content;
    return { groupId: b64u(c.groupId), epoch: c.epoch, contentType: c.contentType };
  }
  if (m.wireformat === 'mls_private_message') {
    const p = m.privateMessage;
    return { groupId: b64u(p.groupId), epoch: p.epoch, contentType: p.contentType };
  }
  return null;
}
