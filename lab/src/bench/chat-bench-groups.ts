import { randomUUID } from 'node:crypto';
import type { ClientTls, SimulatedHandset } from '@pakawaaz/handset-simulator';
import { ChatCore } from '../chat/chat-core.js';
import type { ChatCommit } from '../chat/chat-types.js';
import { chatRoutes, parseExternalSender } from '../chat/chat-wire.js';
import { certificateDerFromPem } from '../chat/device-key.js';
import type { BenchSocket } from './chat-bench-socket.js';
import { closedLoop } from './load.js';

/**
 * The chat bench's MLS groups, made with the client SDK's real MLS core (ts-mls) before the run: 1:1 groups
 * (a sender and a receiver each) and one large group, registered and committed through the real API. Each
 * group's application messages are encrypted here once; the run sends those ciphertexts again and again
 * under fresh client ids — valid MLS for the group's epoch, all the delivery service checks (it never
 * decrypts), while the generator's cores stay free to measure the server. Members join as in the product: each
 * uploads a KeyPackage, the committer claims it by the member's official (one handset per official here) and
 * adds it — the server accepts only KeyPackages its committer claimed.
 */

export type BenchDevice = {
  readonly handset: SimulatedHandset;
  /** The official this handset is the only device of. */
  readonly username: string;
  readonly tls: ClientTls;
  readonly core: ChatCore;
  socket?: BenchSocket;
};

/** A 1:1 group: the sender's pre-encrypted message to the receiver. */
export type BenchPair = {
  readonly sender: BenchDevice;
  readonly receiver: BenchDevice;
  readonly groupId: string;
  readonly message: string;
};

/** A realistic short chat message (the ciphertext is about 250 bytes). */
const TEXT = 'Please review the revised duty roster before the 3 pm meeting; comments by tomorrow noon.';
/** Add proposals per commit: a commit of 100 inline KeyPackages stays under the 256 KiB message limit. */
const ADDS_PER_COMMIT = 100;

/** Handset i is the only device of official `usernames[i]`. */
export async function chatDevices(
  handsets: readonly SimulatedHandset[],
  usernames: readonly string[],
): Promise<BenchDevice[]> {
  const first = handsets[0];
  if (!first) return [];
  const es = parseExternalSender(await first.deviceCall('GET', chatRoutes.externalSender()));
  return Promise.all(
    handsets.map(async (handset, i) => {
      const saved = handset.saved();
      if (!saved) throw new Error('a handset is not enrolled');
      const tls = {
        certPem: saved.enrolment.certificatePem,
        keyPem: saved.keyPem,
        caPems: saved.enrolment.caPems,
      };
      const core = await ChatCore.open({
        keyPem: tls.keyPem,
        certificateDer: certificateDerFromPem(tls.certPem),
        trust: {
          deviceCaDers: tls.caPems.map(certificateDerFromPem),
          externalSenderKeys: [es.signatureKey],
        },
      });
      return { handset, username: usernames[i]!, tls, core };
    }),
  );
}

/** The server's external sender, as pinned when the device's core was opened. */
function externalSender(d: BenchDevice): { signatureKey: Uint8Array } {
  const key = d.core.device.trust.externalSenderKeys?.[0];
  if (!key) throw new Error('no external sender pinned');
  return { signatureKey: key };
}

async function register(owner: BenchDevice): Promise<string> {
  const { groupId, groupInfo } = await owner.core.createGroup(externalSender(owner));
  await owner.handset.deviceCall('POST', chatRoutes.groups(), { groupInfo });
  return groupId;
}

/**
 * Each member uploads one KeyPackage; the committer claims them by official through the server (as the SDK's
 * addMembers does): the KeyPackages to add.
 */
async function claimed(committer: BenchDevice, members: readonly BenchDevice[]): Promise<string[]> {
  const kps: string[] = [];
  for (const m of members) {
    const keyPackages = await m.core.makeKeyPackages(1);
    await m.handset.deviceCall('POST', chatRoutes.keyPackages(), { keyPackages });
    const r = await committer.handset.deviceCall<{ keyPackages: { keyPackage: string }[] }>(
      'POST',
      chatRoutes.claimKeyPackages(),
      { user: m.username },
    );
    if (r.keyPackages.length !== 1)
      throw new Error(`${m.username}: ${r.keyPackages.length} KeyPackages claimed`);
    kps.push(r.keyPackages[0]!.keyPackage);
  }
  return kps;
}

async function commit(d: BenchDevice, c: ChatCommit): Promise<void> {
  await d.handset.deviceCall('POST', chatRoutes.commits(c.groupId), {
    commit: c.commit,
    groupInfo: c.groupInfo,
    ...(c.welcome ? { welcome: c.welcome } : {}),
    clientId: `setup-${randomUUID()}`,
  });
  d.core.confirm(c.groupId);
}

/** Devices 2i and 2i+1 share a 1:1 group; 2i sends. */
export async function makePairs(devices: readonly BenchDevice[]): Promise<BenchPair[]> {
  const pairs: BenchPair[] = [];
  const result = await closedLoop({
    concurrency: 8,
    maxCount: Math.floor(devices.length / 2),
    maxMs: 15 * 60_000,
    op: async (i) => {
      const sender = devices[2 * i]!;
      const receiver = devices[2 * i + 1]!;
      const groupId = await register(sender);
      await commit(sender, await sender.core.add(groupId, await claimed(sender, [receiver])));
      const { message } = await sender.core.send(groupId, { type: 'text', text: TEXT });
      pairs.push({ sender, receiver, groupId, message });
      return true;
    },
  });
  if (result.failures) throw new Error(`1:1 groups failed: ${result.errors.join(' | ')}`);
  return pairs;
}

/** One group of all `members` (the first one creates it and sends); `messages` distinct ciphertexts of it. */
export async function makeGroup(
  members: readonly BenchDevice[],
  messages: number,
): Promise<{ groupId: string; owner: BenchDevice; messages: string[] }> {
  const [owner, ...rest] = members;
  if (!owner) throw new Error('a group needs members');
  const groupId = await register(owner);
  for (let i = 0; i < rest.length; i += ADDS_PER_COMMIT) {
    const kps = await claimed(owner, rest.slice(i, i + ADDS_PER_COMMIT));
    await commit(owner, await owner.core.add(groupId, kps));
  }
  const out: string[] = [];
  for (let i = 0; i < messages; i++)
    out.push((await owner.core.send(groupId, { type: 'text', text: `${TEXT} (${i})` })).message);
  return { groupId, owner, messages: out };
}
