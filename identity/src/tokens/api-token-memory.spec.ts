import { describe, expect, it } from 'vitest';
import { ApiTokenMemory, type ApiTokenResolution } from './api-token-memory.js';

const resolution = (
  tokenId: string,
  dependsOn: string[],
  expiresAt: number | null = null,
): ApiTokenResolution => ({
  tokenId,
  principal: null,
  dependsOn,
  expiresAt,
});

describe('ApiTokenMemory', () => {
  it('forgets every token that depends on a changed owner or parent token', () => {
    const m = new ApiTokenMemory();
    m.put('s1', resolution('t1', ['u1', 't1']), 0, 0);
    m.put('s2', resolution('t2', ['u1', 't1', 't2']), 0, 0);
    m.put('s3', resolution('t3', ['u2', 't3']), 0, 0);
    m.forget('t1');
    expect([m.get('s1', 1), m.get('s2', 1), m.get('s3', 1)?.tokenId]).toEqual([undefined, undefined, 't3']);
    m.forget('u2');
    expect(m.get('s3', 1)).toBeUndefined();
  });

  it('re-reads an entry after the recheck interval, and never serves one past its expiry', () => {
    const m = new ApiTokenMemory(60_000);
    m.put('s', resolution('t', ['t'], 30_000), 0, 0);
    expect(m.get('s', 29_999)?.tokenId).toBe('t');
    expect(m.get('s', 30_000)).toBeUndefined();
    m.put('s', resolution('t', ['t']), 0, 0);
    expect(m.get('s', 60_000)?.tokenId).toBe('t');
    expect(m.get('s', 60_001)).toBeUndefined();
  });

  it('says when the last use is due, at most once per interval', () => {
    const m = new ApiTokenMemory();
    m.put('s', resolution('t', ['t']), 0, 0);
    expect(m.dueForTouch('s', 59_999, 60_000)).toBe(false);
    expect(m.dueForTouch('s', 60_000, 60_000)).toBe(true);
    expect(m.dueForTouch('s', 60_001, 60_000)).toBe(false);
  });

  it('stays bounded', () => {
    const m = new ApiTokenMemory(60_000, 10);
    for (let i = 0; i < 50; i++) m.put(`s${i}`, resolution(`t${i}`, []), 0, 0);
    expect(m.size).toBe(10);
    expect(m.get('s49', 0)?.tokenId).toBe('t49');
    expect(m.get('s0', 0)).toBeUndefined();
  });
});
