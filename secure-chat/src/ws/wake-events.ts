import type { QueuedEnvelope } from '../chat-ports.js';
import { envelopeBytes } from '../delivery/envelope-bytes.js';
import { ChatQueued, HANDED_CHARS } from '../secure-chat.events.js';
import type { ChatHub } from './chat-hub.js';

/**
 * The cluster wake's data (secure-chat.queue.woken), built and read by ChatRelay (pure): the envelopes a wake
 * carries to another node's sockets, and the devices of it presumed held, by node.
 */

type Handed = NonNullable<Parameters<NonNullable<ChatHub['relay']>>[2]>;
export type WakeData = {
  node: string;
  deviceIds: string[];
  ask?: string;
  handed?: { deviceId: string; envelopes: QueuedEnvelope[] }[];
  presumed?: { node: string; deviceIds: string[] }[];
};

/** A wake event for one batch: its envelopes (withHanded), and the devices of it presumed held, by node. */
export function wake(data: WakeData, handed: Handed | undefined, presumed?: ReadonlyMap<string, string>) {
  const out = withHanded(data, handed);
  if (!presumed?.size) return ChatQueued.create(out);
  const byNode = new Map<string, string[]>();
  for (const d of data.deviceIds) {
    const node = presumed.get(d);
    if (node === undefined) continue;
    const list = byNode.get(node);
    if (list) list.push(d);
    else byNode.set(node, [d]);
  }
  if (byNode.size === 0) return ChatQueued.create(out);
  return ChatQueued.create({
    ...out,
    presumed: [...byNode].map(([node, deviceIds]) => ({ node, deviceIds })),
  });
}

/**
 * A wake's data with the envelopes of as many of its devices as fit in HANDED_CHARS, each device's all or
 * none (a device given only some would send those and never read the rest: one given none reads its queue).
 */
export function withHanded(data: WakeData, handed: Handed | undefined): WakeData {
  if (!handed) return data;
  let room = HANDED_CHARS;
  const out: { deviceId: string; envelopes: QueuedEnvelope[] }[] = [];
  for (const deviceId of data.deviceIds) {
    const envelopes = handed.get(deviceId);
    if (!envelopes) continue;
    let chars = deviceId.length + 32;
    for (const e of envelopes) chars += envelopeBytes(e);
    if (chars > room) continue;
    room -= chars;
    out.push({ deviceId, envelopes: [...envelopes] });
  }
  return out.length ? { ...data, handed: out } : data;
}

/** The envelopes a wake handed over, by device. */
export function handedOf(data: { handed?: { deviceId: string; envelopes: QueuedEnvelope[] }[] | undefined }) {
  if (!data.handed) return undefined;
  return new Map(data.handed.map((h) => [h.deviceId, h.envelopes]));
}
