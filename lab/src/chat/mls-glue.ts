// Generic MLS glue the chat client needs and @pakawaaz/mls does not have yet (candidates to move there).
import {
  decodeMlsMessage,
  encodeExternalSender,
  encodeMlsMessage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type CiphersuiteImpl,
  type ClientState,
  type Credential,
  type Extension,
  type ExternalSender,
  type MLSMessage,
} from 'ts-mls';
import { createGroupInfoWithRatchetTree } from 'ts-mls/createCommit.js';
import { CHAT_CIPHERSUITE } from '@pakawaaz/mls';
import { nodeP256Signature } from './node-signature.js';

/** Size limits of docs/secure-chat.md, checked before decoding. */
export const MLS_LIMITS = {
  message: 256 * 1024,
  keyPackage: 16 * 1024,
  groupInfoOrWelcome: 1024 * 1024,
} as const;

export class MlsWireError extends Error {
  constructor(
    readonly code: 'mls_too_large' | 'mls_malformed' | 'mls_unsupported',
    message: string,
  ) {
    super(message);
  }
}

let suite: Promise<CiphersuiteImpl> | undefined;
/** The one cipher suite of secure chat, instantiated once. */
export const chatCiphersuite = (): Promise<CiphersuiteImpl> =>
  (suite ??= getCiphersuiteImpl(getCiphersuiteFromName(CHAT_CIPHERSUITE)).then((cs) => ({
    ...cs,
    signature: nodeP256Signature(cs.signature),
  })));

export const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
export const fromB64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

/** An MLSMessage as it travels: base64url (no padding) of its TLS encoding. */
export const mlsToWire = (m: MLSMessage): string => b64u(encodeMlsMessage(m));

/** Reads a base64url MLSMessage, refusing oversized or trailing input before and after decoding. */
export function mlsFromWire(text: string, maxBytes: number): MLSMessage {
  if (
    typeof text !== 'string' ||
    text.length > Math.ceil((maxBytes * 4) / 3) ||
    !/^[A-Za-z0-9_-]*$/.test(text)
  )
    throw new MlsWireError('mls_too_large', `an MLS message here is at most ${maxBytes} bytes of base64url`);
  const bytes = fromB64u(text);
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded[1] !== bytes.length) throw new MlsWireError('mls_malformed', 'not one MLSMessage');
  return decoded[0];
}

/**
 * The `external_senders` GroupContext extension naming the server. ts-mls 1.6.4 reads one ExternalSender per
 * extension entry and numbers senders by entry (RFC 9420 §12.1.8.1 has one entry holding a vector): groups of
 * this SDK carry one entry with one sender, which both readings agree on only in ts-mls's form.
 */
export const externalSendersExtension = (sender: ExternalSender): Extension => ({
  extensionType: 'external_senders',
  extensionData: encodeExternalSender(sender),
});

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
