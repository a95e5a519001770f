import { describe, expect, it } from 'vitest';
import { findControlCharacter } from './input-rules.js';

const FORBIDDEN = new RegExp(String.fromCharCode(0));

function nested(levels: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe('findControlCharacter', () => {
  it('names the field holding a control character', () => {
    expect(findControlCharacter({ a: ['x', 'y\u0000'] }, 'body', FORBIDDEN)).toBe('body.a[1]');
    expect(findControlCharacter({ a: ['x'] }, 'body', FORBIDDEN)).toBeNull();
  });

  it('fails closed on nesting deeper than it checks, NUL or not', () => {
    // 200 levels: far past the walk's limit; before the fix the walk gave up and said "no problem".
    const hit = findControlCharacter(nested(200, 'bad\u0000'), 'body', FORBIDDEN);
    expect(hit).not.toBeNull();
    expect(hit).toMatch(/^body(\.a)+$/);
    expect(findControlCharacter(nested(200, 'clean'), 'body', FORBIDDEN)).not.toBeNull();
    expect(findControlCharacter(nested(200, [] as unknown), 'body', FORBIDDEN)).not.toBeNull();
  });

  it('accepts ordinary nesting', () => {
    expect(findControlCharacter(nested(20, 'clean'), 'body', FORBIDDEN)).toBeNull();
  });
});
