import { createHash } from 'node:crypto';
import type { CommitCheckTask } from './commit-check.task.js';

/** Refusals remembered at most (oldest forgotten first): a few MiB of keys and messages at most. */
export const REFUSED_COMMITS_KEPT = 4096;

/**
 * Commits refused by their check, by the hash of everything the check read (the group's current GroupInfo,
 * the commit, the next GroupInfo and the server's proposals): the same task always gets the same answer — a
 * refused KeyPackage lifetime stays expired — so a replayed forgery is answered from here, without a worker.
 */
export class RefusedCommits<Refusal> {
  private readonly refused = new Map<string, Refusal>();

  constructor(private readonly kept = REFUSED_COMMITS_KEPT) {}

  static key(task: CommitCheckTask): string {
    const h = createHash('sha256');
    for (const part of [task.previous, task.commit, task.groupInfo, ...task.proposals]) {
      h.update(Buffer.from(String(part.length).padStart(8, '0')));
      h.update(part);
    }
    return h.digest('base64url');
  }

  get(key: string): Refusal | undefined {
    return this.refused.get(key);
  }

  remember(key: string, refusal: Refusal): void {
    this.refused.delete(key);
    this.refused.set(key, refusal);
    if (this.refused.size > this.kept) this.refused.delete(this.refused.keys().next().value!);
  }
}
