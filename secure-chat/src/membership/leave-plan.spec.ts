import { describe, expect, it } from 'vitest';
import { leaveResult, planLeave } from './leave-plan.js';

const m = (leafIndex: number, deviceId: string, userId: string) => ({ leafIndex, deviceId, userId });

describe('planLeave', () => {
  it("takes every leaf of the official's devices and proposes to each other device once", () => {
    const plan = planLeave(
      [m(3, 'a-tablet', 'a'), m(0, 'b-phone', 'b'), m(1, 'a-phone', 'a'), m(2, 'c-phone', 'c')],
      'a',
      'a-phone',
    );
    expect(plan.leaving.map((l) => [l.leafIndex, l.deviceId])).toEqual([
      [1, 'a-phone'],
      [3, 'a-tablet'],
    ]);
    expect(plan.notify).toEqual(['b-phone', 'c-phone']);
    // The official's other device is told too; the caller learns it from the reply.
    expect(plan.siblings).toEqual(['a-tablet']);
    expect(plan.closed).toBe(false);
  });

  it('closes the group when only the official is left (nobody to commit a Remove)', () => {
    const plan = planLeave([m(0, 'a-phone', 'a'), m(1, 'a-laptop', 'a')], 'a', 'a-laptop');
    expect(plan).toMatchObject({ notify: [], siblings: ['a-phone'], closed: true });
    expect(plan.leaving).toHaveLength(2);
  });

  it('answers with the devices in leaf order', () => {
    expect(leaveResult('g', [{ deviceId: 'x' }, { deviceId: 'y' }], false)).toEqual({
      groupId: 'g',
      devices: ['x', 'y'],
      closed: false,
    });
  });
});
