import { describe, expect, it } from 'vitest';
import {
  actorRef,
  approvalProgress,
  formatPermissionLines,
  permissionView,
  shortDigest,
} from './review-rules';

const CAMERA = 'android.permission.CAMERA';
const INTERNET = 'android.permission.INTERNET';
const SMS = 'android.permission.READ_SMS';
const WAKE = 'android.permission.WAKE_LOCK';

describe('permissionView', () => {
  it('lists added then removed, sorted, and collapses the rest', () => {
    const view = permissionView([WAKE, INTERNET, CAMERA], { added: [WAKE, CAMERA], removed: [SMS] });
    expect(view.changed).toEqual([
      { mark: '+', kind: 'added', permission: CAMERA },
      { mark: '+', kind: 'added', permission: WAKE },
      { mark: '−', kind: 'removed', permission: SMS },
    ]);
    expect(view.unchanged).toEqual([INTERNET]);
    expect(formatPermissionLines(view)).toEqual([`+ ${CAMERA}`, `+ ${WAKE}`, `− ${SMS}`]);
  });

  it('a first version: everything it requests is added, nothing unchanged', () => {
    const view = permissionView([INTERNET, CAMERA], { added: [CAMERA, INTERNET], removed: [] });
    expect(view.unchanged).toEqual([]);
    expect(view.changed.map((l) => l.kind)).toEqual(['added', 'added']);
  });

  it('duplicate manifest entries appear once, never both added and unchanged', () => {
    const view = permissionView([INTERNET, INTERNET, CAMERA, CAMERA], { added: [CAMERA], removed: [] });
    expect(view.unchanged).toEqual([INTERNET]);
    expect(view.changed).toHaveLength(1);
  });

  it('no change: an empty diff', () => {
    expect(permissionView([INTERNET], { added: [], removed: [] })).toEqual({
      changed: [],
      unchanged: [INTERNET],
    });
  });
});

describe('approvalProgress', () => {
  const at = '2026-12-05T00:00:00.000Z';
  it('counts distinct approvers only, not rejections', () => {
    const p = approvalProgress(
      [
        { reviewer: 'a', decision: 'approve', at },
        { reviewer: 'a', decision: 'approve', at },
        { reviewer: 'b', decision: 'reject', at },
      ],
      2,
    );
    expect(p).toMatchObject({ approvals: 1, needed: 2 });
    expect(p.text).toBe('1 of 2 approvals (needs 2 distinct approvers)');
  });
  it('an ordinary app needs one', () => {
    expect(approvalProgress([], 1).text).toBe('0 of 1 approval');
  });
});

describe('shortDigest', () => {
  it('keeps 16 hex digits and marks the cut', () => {
    expect(shortDigest('a'.repeat(64))).toBe(`${'a'.repeat(16)}…`);
    expect(shortDigest('abcd')).toBe('abcd');
  });
});

describe('actorRef', () => {
  it('a person (operator or official) is looked up by user id; anything else is shown as recorded', () => {
    expect(actorRef('operator:3f2a')).toEqual({ userId: '3f2a', text: 'operator:3f2a' });
    expect(actorRef('official:ab:c')).toEqual({ userId: 'ab:c', text: 'official:ab:c' });
    expect(actorRef('api-token:t1').userId).toBeNull();
    expect(actorRef('operator:').userId).toBeNull();
    expect(actorRef('3f2a').userId).toBeNull();
  });
});
