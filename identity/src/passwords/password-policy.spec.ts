import { describe, expect, it } from 'vitest';
import { checkPassword, normalisePassword, PASSWORD_MAX_LENGTH } from './password-policy.js';

describe('checkPassword (NIST SP 800-63B)', () => {
  it.each([
    ['correct horse battery staple', null],
    ['Tr4in-Ledger-Quarry', null],
    ['short', 'too_short'],
    ['eleven-char', 'too_short'],
    ['x'.repeat(PASSWORD_MAX_LENGTH + 1), 'too_long'],
    ['1234567890123', 'repetitive'],
    ['9876543210987', 'repetitive'],
    ['zyxwvutsrqponm', 'repetitive'],
    ['abcdefghijklmn', 'repetitive'],
    ['aaaaaaaaaaaaaaaa', 'repetitive'],
    ['abcabcabcabcabc', 'repetitive'],
    ['passwordpassword', 'common'],
    ['Password2026!!', 'common'],
    ['!!Qwerty123456', 'common'],
    ['iloveyou12345', 'common'],
    ['pakawaaz-is-great', 'contains_name'],
  ] as const)('%s → %s', (password, problem) => {
    expect(checkPassword(password)).toBe(problem);
  });

  it('refuses the username and the words of the display name, in any case', () => {
    expect(checkPassword('ayesha.khan-secure', { username: 'ayesha.khan' })).toBe('contains_name');
    expect(checkPassword('Siddiqui!wins-2026', { displayName: 'Bilal Siddiqui' })).toBe('contains_name');
    expect(checkPassword('lapis-meadow-oboe', { username: 'ayesha.khan', displayName: 'Ayesha Khan' })).toBe(
      null,
    );
  });

  it('counts characters, not bytes, and normalises to NFKC first', () => {
    // 12 code points of Urdu text: long enough although it is 24 UTF-8 bytes.
    expect(checkPassword('پاسبان شہر کا')).toBe(null);
    // The ligature "ﬁ" (U+FB01) normalises to "fi": both spellings are one password.
    expect(normalisePassword('ﬁnal-answer-77')).toBe('final-answer-77');
  });
});
