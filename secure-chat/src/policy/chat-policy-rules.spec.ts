import { describe, expect, it } from 'vitest';
import {
  commitRefusal,
  DEFAULT_CHAT_POLICY,
  pairRefusal,
  policyAllows,
  policyIds,
  retentionCutoff,
  type ChatPolicyRules,
} from './chat-policy-rules.js';

const A = 'inst-a';
const B = 'inst-b';
const C = 'inst-c';
const own: ChatPolicyRules = { ...DEFAULT_CHAT_POLICY, crossInstitution: 'own-institution' };
const allowB: ChatPolicyRules = {
  ...DEFAULT_CHAT_POLICY,
  crossInstitution: 'allow-list',
  allowedInstitutions: [B],
};

describe('chat policy rules', () => {
  it('directory mode leaves the decision to the directory; own-institution allows colleagues only', () => {
    expect(policyAllows(DEFAULT_CHAT_POLICY, A, B)).toBe(true);
    expect(policyAllows(own, A, A)).toBe(true);
    expect(policyAllows(own, A, B)).toBe(false);
  });

  it('an allow-list allows the institutions it names and no other', () => {
    expect(policyAllows(allowB, A, B)).toBe(true);
    expect(policyAllows(allowB, A, C)).toBe(false);
  });

  it('never refuses national officials (no institution)', () => {
    expect(policyAllows(own, A, null)).toBe(true);
    expect(pairRefusal(new Map([[A, own]]), null, A)).toBeNull();
  });

  it("needs both sides' consent and names the institution whose policy refused", () => {
    const policies = new Map([[B, own]]);
    // A (directory) would; B (own-institution) will not: B refused, whichever side asks.
    expect(pairRefusal(policies, A, B)).toEqual({ refusedBy: B, other: A });
    expect(pairRefusal(policies, B, A)).toEqual({ refusedBy: B, other: A });
    // Without a stored policy an institution follows the default (directory).
    expect(pairRefusal(new Map(), A, B)).toBeNull();
    // Allow-lists must agree: A lists B, but B's own allow-list does not list A.
    const lists = new Map([
      [A, allowB],
      [B, { ...allowB, allowedInstitutions: [C] }],
    ]);
    expect(pairRefusal(lists, A, B)).toEqual({ refusedBy: B, other: A });
  });

  it('checks a joining official against the committer and every institution already in the tree', () => {
    const policies = new Map([[C, own]]);
    // A adds B to a group that already holds an official of C (own-institution): C's policy refuses.
    expect(commitRefusal(policies, A, [A, C], [B])).toEqual({ refusedBy: C, other: B });
    // Adding a colleague of C to a C-only group is fine; nobody joining is always fine.
    expect(commitRefusal(policies, C, [C], [C])).toBeNull();
    expect(commitRefusal(policies, A, [A, C], [])).toBeNull();
    // The committer's own policy binds as well.
    expect(commitRefusal(new Map([[A, own]]), A, [A], [B])).toEqual({ refusedBy: A, other: B });
  });

  it('lists the institutions a check needs, once, without the national null', () => {
    expect(policyIds(B, null, A, B)).toEqual([A, B]);
  });

  it('computes the retention cutoff in whole days', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    expect(retentionCutoff(now, 30).toISOString()).toBe('2026-11-05T12:00:00.000Z');
  });
});
