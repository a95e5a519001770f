import { createHash } from 'node:crypto';
import type { CommitCheckTask } from './commit-check.task.js';

/** Refusals remembered at most (oldest forgotten first): a few MiB of keys and messages at most. */
export const REFUSED_COMMITS_KEPT = 4096;

/** How long a refusal is remembered: the check reads the clock too (KeyPackage lifetimes). */
export const REFUSED_COMMITS_TTL_MS = 10 * 60_000;

/**
 * Commits refused by their check, by the hash of everything the check read (the group's current GroupInfo,
 * the commit, the next GroupInfo and the server's proposals), for REFUSED_COMMITS_TTL_MS: the same task gets
 * the same answer but for the clock (a KeyPackage not yet valid becomes valid), so a refusal is forgotten after
 * its time; a replayed forgery meanwhile is answered from here, without a worker.
 */
export class RefusedCommits<Refusal> {
  private readonly refused = new Map<string, { refusal: Refusal; until: number }>();

  constructor(
    private readonly kept = REFUSED_COMMITS_KEPT,
    private readonly ttlMs = REFUSED_COMMITS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  static key(task: CommitCheckTask): string {
    const h = createHash('sha256');
    for (const part of [task.previous, task.commit, task.groupInfo, ...task.proposals]) {
      h.update(Buffer.from(String(part.length).padStart(8, '0')));
      h.update(part);
    }
    return h.digest('base64url');
  }

  get(key: string): Refusal | undefined {
    const known = this.refused.get(key);
    if (known && known.until > this.now()) return known.refusal;
    if (known) this.refused.delete(key);
    return undefined;
  }

  remember(key: string, refusal: Refusal): void {
    this.refused.delete(key);
    this.refused.set(key, { refusal, until: this.now() + this.ttlMs });
    if (this.refused.size > this.kept) this.refused.delete(this.refused.keys().next().value!);
  }
}
