import {
  acceptAll,
  emptyPskIndex,
  joinGroup,
  processMessage,
  type ClientState,
  type IncomingMessageCallback,
  type MLSMessage,
} from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import { identityOf, type DeviceIdentity } from './chat-auth.js';
import { decodeContent } from './chat-content.js';
import type { ChatEnvelope, ChatEvent, CoreContext, GroupEntry, IgnoredReason } from './chat-types.js';
import { b64u, framingOf, leavesOf, MLS_LIMITS, mlsFromWire } from './mls-glue.js';

const UNKNOWN: DeviceIdentity = { deviceId: 'unknown', userId: null, serial: '' };
const ignored = (groupId: string | null, reason: IgnoredReason, detail: string): ChatEvent[] => [
  { type: 'ignored', groupId, reason, detail },
];
const errText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * What a device accepts in a handshake: the server (an external sender) may only propose Remove — never an
 * Add, which would let the delivery service bring in a listener — and only members commit (no external joins).
 */
export const chatPolicy: IncomingMessageCallback = (i) => {
  if (i.kind === 'commit') return i.senderLeafIndex === undefined ? 'reject' : 'accept';
  const fromServer = i.proposal.senderLeafIndex === undefined;
  return fromServer && i.proposal.proposal.proposalType !== 'remove' ? 'reject' : 'accept';
};

/**
 * The server proposed the Remove of this device's own leaf: its official left the group from another device
 * (POST …/leave), and the server already dropped this device from the member list — no commit will reach it,
 * so it leaves the group now. Only the server (the external sender) proposes Removes; a member commits them.
 */
function removedByServer(before: ClientState, after: ClientState): boolean {
  const self = before.privatePath.leafIndex;
  return Object.values(after.unappliedProposals).some(
    (p) =>
      p.senderLeafIndex === undefined &&
      p.proposal.proposalType === 'remove' &&
      p.proposal.remove.removed === self,
  );
}

/** Device identities of a state's members by leaf index. */
export function membersOf(state: ClientState): Map<number, DeviceIdentity> {
  return new Map(leavesOf(state).map((l) => [l.leafIndex, identityOf(l.credential) ?? UNKNOWN]));
}

/** Who joined and who left between two states of a group. */
export function diff(groupId: string, before: ClientState, after: ClientState): ChatEvent {
  const a = membersOf(before);
  const b = membersOf(after);
  const key = (i: DeviceIdentity) => `${i.deviceId}/${i.serial}`;
  const ak = new Set([...a.values()].map(key));
  const bk = new Set([...b.values()].map(key));
  return {
    type: 'members-changed',
    groupId,
    epoch: after.groupContext.epoch,
    added: [...b.values()].filter((i) => !ak.has(key(i))),
    removed: [...a.values()].filter((i) => !bk.has(key(i))),
  };
}

/** Applies what the delivery service delivered; never throws for what a peer or the server sent. */
export async function receive(ctx: CoreContext, env: ChatEnvelope): Promise<ChatEvent[]> {
  let m: MLSMessage;
  try {
    m = mlsFromWire(env.message, env.kind === 'welcome' ? MLS_LIMITS.groupInfoOrWelcome : MLS_LIMITS.message);
  } catch (e) {
    return ignored(env.groupId ?? null, 'malformed', errText(e));
  }
  if (m.wireformat === 'mls_welcome') return join(ctx, m.welcome);
  const f = framingOf(m);
  if (!f) return ignored(env.groupId ?? null, 'malformed', `unexpected ${m.wireformat}`);
  const entry = ctx.groups.get(f.groupId);
  if (!entry) return ignored(f.groupId, 'unknown-group', 'not a member of this group');
  const epoch = entry.state.groupContext.epoch;
  if (f.contentType === 'application') return application(ctx, f.groupId, entry, m);
  if (f.epoch < epoch)
    return ignored(f.groupId, 'stale', `a ${f.contentType} of epoch ${f.epoch} < ${epoch}`);
  if (f.epoch > epoch)
    return ignored(f.groupId, 'future-epoch', `epoch ${f.epoch} > ${epoch}: fetch the queue`);
  if (f.contentType === 'commit' && entry.pending?.commit === env.message) {
    const before = entry.state;
    entry.state = entry.pending.newState;
    entry.pending = undefined;
    return [diff(f.groupId, before, entry.state)];
  }
  return handshake(ctx, f.groupId, entry, m);
}

async function handshake(
  ctx: CoreContext,
  groupId: string,
  entry: GroupEntry,
  m: MLSMessage,
): Promise<ChatEvent[]> {
  if (m.wireformat !== 'mls_public_message' && m.wireformat !== 'mls_private_message')
    return ignored(groupId, 'malformed', m.wireformat);
  const before = entry.state;
  let r;
  try {
    r = await processMessage(m, before, emptyPskIndex, chatPolicy, ctx.cs);
  } catch (e) {
    return ignored(groupId, 'refused', errText(e));
  }
  if (r.kind !== 'newState')
    return ignored(groupId, 'malformed', 'an application message framed as handshake');
  if (r.actionTaken === 'reject') return ignored(groupId, 'refused', 'the server may only propose Remove');
  if (r.newState.groupActiveState.kind === 'removedFromGroup' || removedByServer(before, r.newState)) {
    ctx.groups.delete(groupId);
    return [{ type: 'removed', groupId }];
  }
  entry.state = r.newState;
  if (r.newState.groupContext.epoch === before.groupContext.epoch) {
    // A proposal: the server's Remove (or a member's) waits for some member to commit it.
    const members = membersOf(before);
    const removes = Object.values(r.newState.unappliedProposals)
      .map((p) => (p.proposal.proposalType === 'remove' ? members.get(p.proposal.remove.removed) : undefined))
      .filter((i): i is DeviceIdentity => i !== undefined);
    return [{ type: 'proposals-pending', groupId, removes }];
  }
  // Another member's commit won the epoch: our own pending change, if any, must be rebuilt.
  if (entry.pending) {
    entry.lost = entry.pending.intent;
    entry.pending = undefined;
  }
  return [diff(groupId, before, r.newState)];
}

async function application(
  ctx: CoreContext,
  groupId: string,
  entry: GroupEntry,
  m: MLSMessage,
): Promise<ChatEvent[]> {
  if (m.wireformat !== 'mls_private_message')
    return ignored(groupId, 'refused', 'application data must be private');
  const pm = m.privateMessage;
  const state = entry.state;
  const epochData =
    pm.epoch === state.groupContext.epoch
      ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree }
      : state.historicalReceiverData.get(pm.epoch);
  if (!epochData)
    return pm.epoch > state.groupContext.epoch
      ? ignored(groupId, 'future-epoch', `epoch ${pm.epoch}: a commit is missing or this device was removed`)
      : ignored(groupId, 'stale', `no keys kept for epoch ${pm.epoch}`);
  let from: DeviceIdentity;
  try {
    const sd = await decryptSenderData(pm, epochData.senderDataSecret, ctx.cs);
    if (!sd) return ignored(groupId, 'undecryptable', 'sender data');
    if (pm.epoch === state.groupContext.epoch && sd.leafIndex === state.privatePath.leafIndex)
      return ignored(groupId, 'own-message', 'sent by this device');
    const node = epochData.ratchetTree[sd.leafIndex * 2];
    from = (node?.nodeType === 'leaf' && identityOf(node.leaf.credential)) || UNKNOWN;
  } catch (e) {
    return ignored(groupId, 'undecryptable', errText(e));
  }
  let r;
  try {
    r = await processMessage(m, state, emptyPskIndex, acceptAll, ctx.cs);
  } catch (e) {
    // Most often a redelivered message: its key was used and erased (forward secrecy), or it is not ours.
    return ignored(groupId, 'undecryptable', errText(e));
  }
  if (r.kind !== 'applicationMessage') return ignored(groupId, 'malformed', 'not an application message');
  entry.state = r.newState;
  let c;
  try {
    c = decodeContent(r.message);
  } catch (e) {
    return ignored(groupId, 'malformed', errText(e));
  }
  switch (c.type) {
    case 'receipt':
      ctx.history.receipt(groupId, c.ids, c.status, from.deviceId);
      return [{ type: 'receipt', groupId, from, status: c.status, ids: c.ids }];
    case 'typing':
      return [{ type: 'typing', groupId, from, active: c.active }];
    case 'text':
    case 'file': {
      const text = c.type === 'text' ? c.text : (c.caption ?? '');
      const file = c.type === 'file' ? c.file : undefined;
      ctx.history.add({
        groupId,
        id: c.id,
        fromDevice: from.deviceId,
        fromUser: from.userId,
        sentAt: c.sentAt,
        text,
        ...(file ? { file } : {}),
        own: false,
      });
      return [
        { type: 'message', groupId, id: c.id, from, sentAt: c.sentAt, text, ...(file ? { file } : {}) },
      ];
    }
  }
}

async function join(
  ctx: CoreContext,
  welcome: Extract<MLSMessage, { wireformat: 'mls_welcome' }>['welcome'],
) {
  for (const [ref, kp] of ctx.keyPackages) {
    if (!welcome.secrets.some((s) => b64u(s.newMember) === ref)) continue;
    let state: ClientState;
    try {
      state = await joinGroup(
        welcome,
        kp.publicPackage,
        kp.privatePackage,
        emptyPskIndex,
        ctx.cs,
        undefined,
        undefined,
        ctx.config,
      );
    } catch (e) {
      return ignored(null, 'refused', errText(e));
    }
    const groupId = b64u(state.groupContext.groupId);
    if (ctx.groups.has(groupId)) return ignored(groupId, 'already-joined', 'a redelivered Welcome');
    if (!kp.lastResort) ctx.keyPackages.delete(ref);
    ctx.groups.set(groupId, { state });
    return [
      { type: 'joined', groupId, epoch: state.groupContext.epoch, members: [...membersOf(state).values()] },
    ] as ChatEvent[];
  }
  return ignored(null, 'unknown-key-package', 'the Welcome is for none of our KeyPackages');
}

/** The reference a Welcome names a KeyPackage by (RFC 9420 §5.2), base64url. */
export const keyPackageRef = async (
  ctx: Pick<CoreContext, 'cs'>,
  kp: Parameters<typeof makeKeyPackageRef>[0],
) => b64u(await makeKeyPackageRef(kp, ctx.cs.hash));
