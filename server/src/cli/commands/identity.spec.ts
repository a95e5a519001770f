import { describe, expect, it } from 'vitest';
import type { Schemas } from '../api-client.js';
import { tokenTable } from './identity.js';

const token = (over: Partial<Schemas['ApiToken']>): Schemas['ApiToken'] =>
  ({
    id: '6f1c2a9e-0000-4000-8000-000000000001',
    name: 'ci',
    roles: ['viewer'],
    owner: 'ayesha',
    createdAt: '2026-12-01T08:00:00.000Z',
    createdBy: null,
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    institutionId: null,
    ...over,
  }) as Schemas['ApiToken'];

describe('tokens list', () => {
  it('shows state, roles, owner, expiry and last use in aligned columns', () => {
    const out = tokenTable(
      [
        token({
          roles: ['viewer', 'sim-operator'],
          expiresAt: '2027-01-01T00:00:00.000Z',
          lastUsedAt: '2026-12-04T05:31:09.123Z',
        }),
        token({ id: 'b', name: 'old', owner: null, expiresAt: '2026-11-01T00:00:00.000Z' }),
        token({ id: 'c', name: 'gone', revokedAt: '2026-12-02T00:00:00.000Z' }),
      ],
      '2026-12-04T06:00:00.000Z',
    ).split('\n');
    expect(out[0]).toBe(
      'ID                                    STATE    ROLES                OWNER     EXPIRES (UTC)     LAST USED (UTC)   NAME',
    );
    expect(out[1]).toBe(
      '6f1c2a9e-0000-4000-8000-000000000001  active   viewer,sim-operator  ayesha    2027-01-01 00:00  2026-12-04 05:31  ci',
    );
    expect(out[2]).toMatch(/^b +expired +viewer +\(system\) +2026-11-01 00:00 +never +old$/);
    expect(out[3]).toMatch(/^c +revoked +viewer +ayesha +never +never +gone$/);
    // Every column starts at the same place on each line.
    expect(out[2]!.indexOf('expired')).toBe(out[0]!.indexOf('STATE'));
  });

  it('prints stored names as text, never as terminal control', () => {
    expect(tokenTable([token({ name: 'x\u001b[2Jy' })])).toContain('x\\x1b[2Jy');
    expect(tokenTable([])).toBe('no API tokens\n');
  });
});
