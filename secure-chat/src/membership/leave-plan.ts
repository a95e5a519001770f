/**
 * Pure rules of an official leaving a group: every leaf of the official's devices leaves, the other members'
 * devices receive the server's Remove proposals (and commit them), the official's other devices receive them to
 * learn they left, and a group with nobody else left is closed.
 */
export type LeaveMember = { readonly leafIndex: number; readonly deviceId: string; readonly userId: string };

export type LeavePlan = {
  /** The official's leaves, in leaf order: one Remove proposal each. */
  readonly leaving: LeaveMember[];
  /** The other members' devices (sorted, once each): they receive the proposals and commit them. */
  readonly notify: string[];
  /**
   * The official's devices other than the caller (sorted, once each): they receive the proposals too, and a
   * device that reads the Remove of its own leaf forgets the group (only the caller learns it from the reply).
   */
  readonly siblings: string[];
  /** Nobody else is left: no proposal is kept for a commit, the group keeps no member. */
  readonly closed: boolean;
};

export function planLeave(members: readonly LeaveMember[], userId: string, caller: string): LeavePlan {
  const leaving = members.filter((m) => m.userId === userId).sort((a, b) => a.leafIndex - b.leafIndex);
  const notify = [...new Set(members.filter((m) => m.userId !== userId).map((m) => m.deviceId))].sort();
  const siblings = [...new Set(leaving.map((m) => m.deviceId))].filter((d) => d !== caller).sort();
  return { leaving, notify, siblings, closed: notify.length === 0 };
}

/** The answer of a leave, the same for a repeated one: the group, the devices that left, whether it closed. */
export type LeaveResult = { groupId: string; devices: string[]; closed: boolean };

export function leaveResult(groupId: string, devices: readonly { deviceId: string }[], closed: boolean) {
  return { groupId, devices: devices.map((d) => d.deviceId), closed } satisfies LeaveResult;
}
