import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './line-diff.js';

const names = { oldName: 'a/amf.yaml', newName: 'b/amf.yaml' };
const lines = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `line ${i + from}`);
const text = (ls: string[]) => `${ls.join('\n')}\n`;

describe('unifiedDiff', () => {
  it('is empty for identical texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', names)).toBe('');
  });

  it('shows one changed line with three lines of context', () => {
    const before = lines(10);
    const after = [...before];
    after[4] = 'line five';
    expect(unifiedDiff(text(before), text(after), names)).toBe(
      [
        '--- a/amf.yaml',
        '+++ b/amf.yaml',
        '@@ -2,7 +2,7 @@',
        ' line 2',
        ' line 3',
        ' line 4',
        '-line 5',
        '+line five',
        ' line 6',
        ' line 7',
        ' line 8',
        '',
      ].join('\n'),
    );
  });

  it('splits distant changes into separate hunks and counts added/removed lines', () => {
    const before = lines(20);
    const after = [...before.slice(0, 1), ...before.slice(2, 18), 'new tail', ...before.slice(18)];
    const diff = unifiedDiff(text(before), text(after), names);
    expect(diff.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,5 +1,4 @@', '@@ -16,5 +15,6 @@']);
    expect(diff).toContain('\n-line 2\n');
    expect(diff).toContain('\n+new tail\n');
  });

  it('merges changes whose contexts touch into one hunk', () => {
    const before = lines(12);
    const after = [...before];
    after[0] = 'first';
    after[7] = 'eighth';
    expect(unifiedDiff(text(before), text(after), names).match(/^@@ .* @@$/gm)).toEqual([
      '@@ -1,11 +1,11 @@',
    ]);
    after[7] = 'line 8';
    after[8] = 'ninth';
    expect(unifiedDiff(text(before), text(after), names).match(/^@@ .* @@$/gm)).toEqual([
      '@@ -1,4 +1,4 @@',
      '@@ -6,7 +6,7 @@',
    ]);
  });

  it('handles a new file and an emptied file', () => {
    expect(unifiedDiff('', 'x\ny\n', names)).toBe(
      '--- a/amf.yaml\n+++ b/amf.yaml\n@@ -0,0 +1,2 @@\n+x\n+y\n',
    );
    expect(unifiedDiff('x\n', '', names)).toBe('--- a/amf.yaml\n+++ b/amf.yaml\n@@ -1,1 +0,0 @@\n-x\n');
  });
});
