import { describe, expect, it } from 'vitest';
import type { JsonValue } from './canonical-json.js';
import { applyMergePatch, createMergePatch } from './merge-patch.js';

/* RFC 7396 Appendix A: every example (original, patch, result), and the §3 example. */
const APPENDIX_A: [string, string, string][] = [
  ['{"a":"b"}', '{"a":"c"}', '{"a":"c"}'],
  ['{"a":"b"}', '{"b":"c"}', '{"a":"b","b":"c"}'],
  ['{"a":"b"}', '{"a":null}', '{}'],
  ['{"a":"b","b":"c"}', '{"a":null}', '{"b":"c"}'],
  ['{"a":["b"]}', '{"a":"c"}', '{"a":"c"}'],
  ['{"a":"c"}', '{"a":["b"]}', '{"a":["b"]}'],
  ['{"a":{"b":"c"}}', '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'],
  ['{"a":[{"b":"c"}]}', '{"a":[1]}', '{"a":[1]}'],
  ['["a","b"]', '["c","d"]', '["c","d"]'],
  ['{"a":"b"}', '["c"]', '["c"]'],
  ['{"a":"foo"}', 'null', 'null'],
  ['{"a":"foo"}', '"bar"', '"bar"'],
  ['{"e":null}', '{"a":1}', '{"e":null,"a":1}'],
  ['[1,2]', '{"a":"b","c":null}', '{"a":"b"}'],
  ['{}', '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
];

const j = (s: string): JsonValue => JSON.parse(s) as JsonValue;

describe('applyMergePatch (RFC 7396)', () => {
  it.each(APPENDIX_A)('%s + %s = %s', (original, patch, result) => {
    const target = j(original);
    expect(applyMergePatch(target, j(patch))).toEqual(j(result));
    expect(target).toEqual(j(original));
  });

  it('applies the §3 example', () => {
    const target = j(
      '{"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],' +
        '"content":"This will be unchanged"}',
    );
    const patch = j(
      '{"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}',
    );
    expect(applyMergePatch(target, patch)).toEqual(
      j(
        '{"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"This will be unchanged",' +
          '"phoneNumber":"+01-123-456-7890"}',
      ),
    );
  });

  it('keeps a member named __proto__ as data, never as a prototype', () => {
    const out = applyMergePatch({}, j('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('createMergePatch', () => {
  it('makes patches that turn each source into its target', () => {
    const pairs: [string, string][] = [
      ['{"a":"b","n":{"x":1,"y":[1,2]}}', '{"n":{"x":2,"y":[1,2],"z":{}},"c":true}'],
      ['{"a":{"b":{"c":1}}}', '{"a":{"b":{}}}'],
      ['{"a":1}', '{"a":{"b":[{"c":1}]}}'],
      ['{"a":{"b":1}}', '{"a":[1]}'],
      ['[1]', '{"a":1}'],
    ];
    for (const [s, t] of pairs) {
      const patch = createMergePatch(j(s), j(t));
      expect(patch).toBeDefined();
      expect(applyMergePatch(j(s), patch!)).toEqual(j(t));
    }
    expect(createMergePatch(j('{"a":[1,{"b":2}]}'), j('{"a":[1,{"b":2}]}'))).toBeUndefined();
    expect(createMergePatch(j('{"a":1,"b":2}'), j('{"b":2}'))).toEqual({ a: null });
  });

  it('refuses a target holding null (a patch would read it as a deletion)', () => {
    expect(() => createMergePatch(j('{}'), j('{"a":null}'))).toThrow();
    expect(() => createMergePatch(j('{"a":1}'), j('{"a":[null]}'))).toThrow();
  });
});
