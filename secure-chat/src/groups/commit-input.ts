import { b64u } from '../mls/bytes.js';
import { readMessage, readWelcome, type GroupInfoFacts } from '../mls/mls-facts.js';
import { mlsInput } from '../mls/mls-input.js';
import { secureChatError } from '../secure-chat.errors.js';

/*
 * A commit's input as the delivery service takes it, pure (no database): its framing read and checked, the
 * server's external sender required in a GroupInfo, and a retried (device, clientId) answered as the first time.
 */

export type CommitInput = {
  commit: Uint8Array;
  groupInfo: Uint8Array;
  welcome?: Uint8Array;
  clientId: string;
};
export type CommitResult = { groupId: string; epoch: string };

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The commit read and checked before any database work: a PublicMessage commit from a member, for this group. */
export async function readCommitInput(groupId: string, input: CommitInput) {
  const msg = await mlsInput(() => readMessage(input.commit), 'commit');
  if (msg.contentType !== 'commit')
    throw secureChatError('invalid_chat_input', 'commit: this is not a commit (send messages to /messages).');
  if (b64u(msg.groupId) !== groupId)
    throw secureChatError('mls_wrong_group', 'commit: it is for another group.');
  // The server checks the next tree against the commit's proposals: it must see them (RFC 9420 §6.2).
  if (msg.wireformat !== 'public_message' || msg.sender?.type !== 'member')
    throw secureChatError(
      'mls_unsupported',
      'commit: a commit is a PublicMessage from a member (the server checks its GroupInfo against it).',
    );
  const welcome = input.welcome ? await mlsInput(() => readWelcome(input.welcome!), 'welcome') : undefined;
  return { msg, senderLeaf: msg.sender.leafIndex, welcome };
}

export function requireExternalSender(info: GroupInfoFacts, signatureKey: Uint8Array): void {
  if (!info.externalSenderKeys.some((k) => sameBytes(k, signatureKey)))
    throw secureChatError(
      'mls_external_sender_missing',
      "The group must list the server's external sender (GET /api/v1/chat/external-sender).",
    );
}

export function replay(previous: Record<string, unknown>, op: string, groupId: string): CommitResult {
  if (previous['op'] !== op || previous['groupId'] !== groupId)
    throw secureChatError('client_id_reused', 'This clientId was used for another operation: use a new one.');
  return { groupId, epoch: String(previous['epoch']) };
}
