import { decodeWhole } from './decode.js';
import { MLS_LIMITS, MlsInputError } from './errors.js';

export type MessageSender =
  | { type: 'member'; leafIndex: number }
  | { type: 'external'; senderIndex: number }
  | { type: 'new_member_proposal' | 'new_member_commit' };

/** What the delivery service reads of a handshake or application message: its routing header, no content. */
export type MessageFacts = {
  wireformat: 'public_message' | 'private_message';
  groupId: Uint8Array;
  epoch: bigint;
  contentType: 'application' | 'proposal' | 'commit';
  /** A PublicMessage names its sender; a PrivateMessage encrypts it (only members can read it). */
  sender?: MessageSender;
};

/**
 * The header of a PublicMessage or PrivateMessage (RFC 9420 §6.2, §6.3): group, epoch and content type are in
 * the clear in both, which is all the server needs to order handshakes and route messages.
 */
export function readMessage(bytes: Uint8Array): MessageFacts {
  const message = decodeWhole(bytes, MLS_LIMITS.maxMessageBytes, 'message', [
    'mls_public_message',
    'mls_private_message',
  ]);
  if (message.wireformat === 'mls_private_message') {
    const m = message.privateMessage;
    return {
      wireformat: 'private_message',
      groupId: m.groupId,
      epoch: m.epoch,
      contentType: contentType(m.contentType),
    };
  }
  const c = message.publicMessage.content;
  const s = c.sender;
  const sender: MessageSender =
    s.senderType === 'member'
      ? { type: 'member', leafIndex: s.leafIndex }
      : s.senderType === 'external'
        ? { type: 'external', senderIndex: s.senderIndex }
        : { type: s.senderType };
  return {
    wireformat: 'public_message',
    groupId: c.groupId,
    epoch: c.epoch,
    contentType: contentType(c.contentType),
    sender,
  };
}

function contentType(t: string): MessageFacts['contentType'] {
  if (t === 'application' || t === 'proposal' || t === 'commit') return t;
  throw new MlsInputError('mls_malformed', `content type ${t} is not application, proposal or commit`);
}
