import { describe, expect, it } from 'vitest';
import { RefusedCommits } from './refused-commits.js';

const task = (commit: number[], proposals: number[][] = []) => ({
  previous: Uint8Array.of(1, 2),
  commit: Uint8Array.from(commit),
  groupInfo: Uint8Array.of(9),
  proposals: proposals.map((p) => Uint8Array.from(p)),
});

describe('RefusedCommits', () => {
  it('keys a task by all it holds (bytes moved between parts is another task)', () => {
    expect(RefusedCommits.key(task([3]))).toBe(RefusedCommits.key(task([3])));
    expect(RefusedCommits.key(task([3]))).not.toBe(RefusedCommits.key(task([4])));
    expect(RefusedCommits.key(task([3], [[5]]))).not.toBe(RefusedCommits.key(task([3])));
    expect(RefusedCommits.key(task([3, 5]))).not.toBe(RefusedCommits.key(task([3], [[5]])));
  });

  it('remembers refusals up to its bound, forgetting the oldest', () => {
    const refused = new RefusedCommits<string>(2);
    refused.remember('a', 'A');
    refused.remember('b', 'B');
    refused.remember('a', 'A again'); // a is now the newest
    refused.remember('c', 'C');
    expect([refused.get('a'), refused.get('b'), refused.get('c')]).toEqual(['A again', undefined, 'C']);
  });

  it('forgets a refusal after its time (the check reads the clock: a KeyPackage may become valid)', () => {
    let now = 0;
    const refused = new RefusedCommits<string>(8, 600_000, () => now);
    refused.remember('a', 'A');
    now = 599_999;
    expect(refused.get('a')).toBe('A');
    now = 600_000;
    expect(refused.get('a')).toBeUndefined();
    refused.remember('a', 'A later');
    expect(refused.get('a')).toBe('A later');
  });
});
