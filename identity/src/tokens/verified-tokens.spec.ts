import { describe, expect, it } from 'vitest';
import type { VerifiedAccessToken } from './access-token.js';
import { VerifiedTokens } from './verified-tokens.js';

const claims = (exp: number): VerifiedAccessToken => ({
  sub: 's',
  typ: 'operator',
  name: 'n',
  inst: null,
  roles: [],
  amr: ['pwd'],
  acr: 'aal1',
  sid: 'sid',
  jti: 'j',
  exp,
});

describe('VerifiedTokens', () => {
  it('returns a verified token until its exp, never after', () => {
    const c = new VerifiedTokens();
    c.put('t1', claims(1000));
    expect(c.get('t1', 999)?.sid).toBe('sid');
    expect(c.get('t1', 1000)).toBeUndefined();
    expect(c.size).toBe(0);
  });
  it('does not know tokens it was never given', () => {
    expect(new VerifiedTokens().get('t2', 0)).toBeUndefined();
  });
  it('stays within its bound', () => {
    const c = new VerifiedTokens(10);
    for (let i = 0; i < 1000; i++) c.put(`t${i}`, claims(10_000));
    expect(c.size).toBe(10);
    expect(c.get('t999', 0)).toBeDefined();
    expect(c.get('t0', 0)).toBeUndefined();
  });
});
