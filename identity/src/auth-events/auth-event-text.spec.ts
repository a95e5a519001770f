import { describe, expect, it } from 'vitest';
import { maskUnknownName, outerIdentityForLog, safeText, sourceBlock } from './auth-event-text.js';

describe('safeText', () => {
  it('escapes NUL, other C0 controls, DEL and C1 controls, so PostgreSQL and terminals accept it', () => {
    expect(safeText('ay\u0000esha\u001b[2J\u007f\u009b', 100)).toBe('ay\\x00esha\\x1b[2J\\x7f\\x9b');
    expect(safeText('ayesha', 100)).toBe('ayesha');
  });

  it('caps the length (in characters, never splitting one) and turns empty into null', () => {
    expect(safeText('x'.repeat(1000), 253)).toHaveLength(253);
    expect(safeText('😀😀😀', 2)).toBe('😀😀');
    expect(safeText('', 10)).toBeNull();
    expect(safeText(undefined, 10)).toBeNull();
  });
});

describe('maskUnknownName', () => {
  it('keeps two characters and the length, never the value', () => {
    expect(maskUnknownName('ayesha123')).toBe('ay… (9)');
    expect(maskUnknownName('amber-orchard-violin-7')).toBe('am… (22)');
  });

  it('shows nothing of a short value, and escapes what it shows', () => {
    expect(maskUnknownName('pw1')).toBe('… (3)');
    expect(maskUnknownName('\u0000\u001bsecret')).toBe('\\x… (8)');
    expect(maskUnknownName(null)).toBeNull();
  });
});

describe('outerIdentityForLog', () => {
  it('keeps only the kind of a pseudonym or re-auth identity (RFC 4187, RFC 9048)', () => {
    expect(outerIdentityForLog('2s8Jq0PZ6oZ@wlan.example')).toBe('(pseudonym)');
    expect(outerIdentityForLog('7s8Jq0PZ6oZ@wlan.example')).toBe('(pseudonym)');
    expect(outerIdentityForLog('4Lk3dfQ@wlan.example')).toBe('(re-auth identity)');
    expect(outerIdentityForLog('8Lk3dfQ@wlan.example')).toBe('(re-auth identity)');
  });

  it('keeps permanent identities', () => {
    expect(outerIdentityForLog('0001010123456789@wlan.example')).toBe('0001010123456789@wlan.example');
    expect(outerIdentityForLog('6001010123456789@wlan.example')).toBe('6001010123456789@wlan.example');
    expect(outerIdentityForLog(undefined)).toBeNull();
  });
});

describe('sourceBlock', () => {
  it('groups IPv4 by /24 and IPv6 by /48', () => {
    expect(sourceBlock('198.51.100.77')).toBe('198.51.100.0/24');
    expect(sourceBlock('2001:db8:5:1::9')).toBe('2001:db8:5::/48');
    expect(sourceBlock('2001:db8::9')).toBe('2001:db8:0::/48');
  });
});
