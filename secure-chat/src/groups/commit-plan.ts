/**
 * Pure rules of a commit at the delivery service: who gets the commit, who gets the Welcome, which officials
 * join (and so must be visible to the committer). No I/O.
 */
export type LeafDevice = {
  readonly leafIndex: number;
  readonly deviceId: string;
  readonly userId: string;
  readonly institutionId: string | null;
};
export type PreviousMember = {
  readonly leafIndex: number;
  readonly deviceId: string;
  readonly userId: string;
};

export type CommitPlan = {
  /** Previous members but the committer: they process the commit. */
  readonly commitTo: string[];
  /** Devices in the new epoch that were not in the previous one, or on a leaf the commit adds: the Welcome's. */
  readonly welcomeTo: string[];
  /** Officials with a device in the new epoch and none in the previous one. */
  readonly joiningOfficials: { userId: string; institutionId: string | null }[];
  /** A device that sits on two leaves (a tree the server cannot deliver to unambiguously). */
  readonly duplicateDevice?: string;
};

export function planCommit(
  previous: readonly PreviousMember[],
  next: readonly LeafDevice[],
  committerDevice: string,
  /** The leaves the commit's Adds fill: their devices join with the Welcome, even one the commit removed. */
  addedLeaves: readonly number[] = [],
): CommitPlan {
  const before = new Set(previous.map((m) => m.deviceId));
  const usersBefore = new Set(previous.map((m) => m.userId));
  const seen = new Set<string>();
  let duplicateDevice: string | undefined;
  for (const leaf of next) {
    if (seen.has(leaf.deviceId)) duplicateDevice ??= leaf.deviceId;
    seen.add(leaf.deviceId);
  }
  const added = new Set(next.filter((l) => addedLeaves.includes(l.leafIndex)).map((l) => l.deviceId));
  const joining = new Map<string, string | null>();
  for (const leaf of next) if (!usersBefore.has(leaf.userId)) joining.set(leaf.userId, leaf.institutionId);
  return {
    commitTo: [...before].filter((d) => d !== committerDevice).sort(),
    welcomeTo: [...seen].filter((d) => !before.has(d) || added.has(d)).sort(),
    joiningOfficials: [...joining].map(([userId, institutionId]) => ({ userId, institutionId })),
    ...(duplicateDevice ? { duplicateDevice } : {}),
  };
}

/** Epochs a message (application or proposal) may be sent in: the current one and the one before it. */
export function messageEpochAccepted(groupEpoch: bigint, messageEpoch: bigint): boolean {
  return messageEpoch === groupEpoch || messageEpoch + 1n === groupEpoch;
}
