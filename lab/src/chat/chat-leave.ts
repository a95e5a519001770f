// Leaving a group (docs/secure-chat.md, "Leaving a group"): the server proposes this official's Removes as the
// group's external sender; the device then forgets the group. Kept apart from chat-client.ts (its size).
import { ChatHttpError, retry } from './chat-http.js';
import type { ChatCore } from './chat-core.js';
import type { ChatEvent } from './chat-types.js';
import { chatRoutes } from './chat-wire.js';

/** The server's answer: the official's devices that left, and whether nobody else was left (the group closed). */
export type LeaveReply = { groupId: string; devices: string[]; closed: boolean };

/** Drops the group's MLS state (its local history stays): the device holds no key of it any more. */
export function forgetGroup(core: ChatCore, groupId: string): ChatEvent[] {
  return core.groups.delete(groupId) ? [{ type: 'removed', groupId }] : [];
}

/**
 * Asks the server to take the official out of the group (idempotent: retried on a network failure, 429, 5xx),
 * then forgets the group. A `404 group_not_found` means this device is no member already (another device of
 * the official left, say): the group is forgotten too, and the error thrown.
 */
export async function leaveGroup(
  call: <T>(method: string, path: string) => Promise<T>,
  core: ChatCore,
  groupId: string,
  /** Emits the events and saves the core state (the driver's). */
  done: (events: ChatEvent[]) => Promise<void>,
): Promise<LeaveReply> {
  try {
    const reply = await retry(() => call<LeaveReply>('POST', chatRoutes.leave(groupId)));
    await done(forgetGroup(core, groupId));
    return reply;
  } catch (e) {
    if (e instanceof ChatHttpError && e.body.code === 'group_not_found')
      await done(forgetGroup(core, groupId));
    throw e;
  }
}
