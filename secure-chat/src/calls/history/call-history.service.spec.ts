import type { Principal } from '@pakawaaz/platform';
import { describe, expect, it, vi } from 'vitest';
import { CallHistoryService } from './call-history.service.js';

const operator = {
  actor: { type: 'user', id: 'op' },
  roles: ['viewer'],
  scope: { kind: 'institution', institutionIds: ['inst-a'] },
} as unknown as Principal;

describe('call records filtered by official', () => {
  it('an unknown username is an empty page, like a known one with no calls in scope (no existence oracle)', async () => {
    const page = vi.fn(() => Promise.resolve([]));
    const directory = {
      find: (ref: string) => Promise.resolve(ref === 'bilal' ? { userId: 'u-b' } : null),
      byIds: () => Promise.resolve(new Map()),
    };
    const svc = new CallHistoryService({ page } as never, { get: () => directory } as never);
    const unknown = await svc.history({ limit: 50, official: 'nobody' }, operator);
    const known = await svc.history({ limit: 50, official: 'bilal' }, operator);
    expect(unknown).toEqual(known);
    expect(unknown).toEqual({ calls: [], nextBefore: null });
    expect(page).toHaveBeenCalledOnce();
    expect(page).toHaveBeenCalledWith(expect.objectContaining({ userId: 'u-b', scope: ['inst-a'] }));
  });
});
