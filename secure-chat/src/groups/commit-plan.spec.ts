import { describe, expect, it } from 'vitest';
import { planCommit } from './commit-plan.js';

const leaf = (leafIndex: number, deviceId: string, userId: string) => ({
  leafIndex,
  deviceId,
  userId,
  institutionId: null,
});

describe('planCommit', () => {
  it('sends the commit to the previous members but the committer, the Welcome to new devices', () => {
    const previous = [leaf(0, 'a1', 'alice'), leaf(1, 'b1', 'bob')];
    const plan = planCommit(previous, [...previous, leaf(2, 'c1', 'carol')], 'a1', [2]);
    expect([plan.commitTo, plan.welcomeTo]).toEqual([['b1'], ['c1']]);
    expect(plan.joiningOfficials).toEqual([{ userId: 'carol', institutionId: null }]);
  });

  it('sends the Welcome to a device the commit removes and adds again: it processes its removal, then joins', () => {
    const previous = [leaf(0, 'a1', 'alice'), leaf(1, 'b1', 'bob')];
    // Bob's leaf 1 removed, a KeyPackage of the same device added on leaf 1 again.
    const plan = planCommit(previous, [leaf(0, 'a1', 'alice'), leaf(1, 'b1', 'bob')], 'a1', [1]);
    expect([plan.commitTo, plan.welcomeTo]).toEqual([['b1'], ['b1']]);
  });
});
