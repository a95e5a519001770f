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
  return (bytes.length <= MLS_LIMITS.maxMessageBytes ? privateHeader(bytes) : null) ?? decodeMessage(bytes);
}

/** readMessage through ts-mls's decoder of the whole MLSMessage (exported for the test of the fast path). */
export function decodeMessage(bytes: Uint8Array): MessageFacts {
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

const CONTENT_TYPES = [undefined, 'application', 'proposal', 'commit'] as const;

/**
 * The hot path of every application message: the header of a well-formed MLS 1.0 PrivateMessage read in place
 * (version 0x0001, wire format 0x0002, then group_id<V>, uint64 epoch, content_type, and three opaque<V> fields
 * that must end exactly at the message's end). Null for anything else, which the full decoder then reads (and
 * refuses with its precise error): this accepts only what it accepts, with the same facts.
 */
function privateHeader(b: Uint8Array): MessageFacts | null {
  if (b.length < 4 || b[0] !== 0 || b[1] !== 1 || b[2] !== 0 || b[3] !== 2) return null;
  const groupId = opaque(b, 4);
  if (!groupId || groupId.end + 9 > b.length) return null;
  let epoch = 0n;
  for (let i = groupId.end; i < groupId.end + 8; i++) epoch = (epoch << 8n) | BigInt(b[i]!);
  const contentType = CONTENT_TYPES[b[groupId.end + 8]!];
  if (!contentType) return null;
  let at = groupId.end + 9;
  for (let field = 0; field < 3; field++) {
    const next = opaque(b, at);
    if (!next) return null;
    at = next.end;
  }
  if (at !== b.length) return null;
  return {
    wireformat: 'private_message',
    groupId: b.subarray(groupId.start, groupId.end),
    epoch,
    contentType,
  };
}

/** An opaque<V> field at `at` (RFC 9420 §2.1.2: a 1, 2 or 4 byte length prefix); null if it overruns. */
function opaque(b: Uint8Array, at: number): { start: number; end: number } | null {
  if (at >= b.length) return null;
  const first = b[at]!;
  const prefix = first >> 6;
  let length: number;
  let size: number;
  if (prefix === 0) [length, size] = [first, 1];
  else if (prefix === 1 && at + 2 <= b.length) [length, size] = [((first & 0x3f) << 8) | b[at + 1]!, 2];
  else if (prefix === 2 && at + 4 <= b.length)
    [length, size] = [(first & 0x3f) * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!), 4];
  else return null;
  const end = at + size + length;
  return end <= b.length ? { start: at + size, end } : null;
}
