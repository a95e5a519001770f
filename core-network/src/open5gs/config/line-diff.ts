/**
 * A small unified diff of two texts, line by line (LCS), with context lines and `@@` hunk headers, so an
 * operator can read what `open5gs render --check` would change. Pure.
 */
export type DiffOptions = { oldName: string; newName: string; context?: number };

type Op = { kind: ' ' | '-' | '+'; line: string; oldNo: number; newNo: number };

/** Beyond this many line pairs the LCS table is skipped and the file is shown as replaced wholesale. */
const MAX_LCS_CELLS = 4_000_000;

export function unifiedDiff(oldText: string, newText: string, options: DiffOptions): string {
  if (oldText === newText) return '';
  const ops = diffLines(toLines(oldText), toLines(newText));
  const hunks = groupHunks(ops, options.context ?? 3).map(formatHunk);
  return [`--- ${options.oldName}`, `+++ ${options.newName}`, ...hunks].join('\n') + '\n';
}

function toLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function diffLines(a: string[], b: string[]): Op[] {
  if (a.length * b.length > MAX_LCS_CELLS) return replaceAll(a, b);
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const next = lcs[i + 1] as Uint32Array;
    for (let j = b.length - 1; j >= 0; j--)
      row[j] =
        a[i] === b[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] as string, oldNo: ++i, newNo: ++j });
    } else if (i < a.length && (j === b.length || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      // Removals before additions, as diff(1) prints them.
      ops.push({ kind: '-', line: a[i] as string, oldNo: ++i, newNo: j });
    } else {
      ops.push({ kind: '+', line: b[j] as string, oldNo: i, newNo: ++j });
    }
  }
  return ops;
}

function replaceAll(a: string[], b: string[]): Op[] {
  return [
    ...a.map((line, k): Op => ({ kind: '-', line, oldNo: k + 1, newNo: 0 })),
    ...b.map((line, k): Op => ({ kind: '+', line, oldNo: a.length, newNo: k + 1 })),
  ];
}

/** Changes separated by at most two contexts of unchanged lines share a hunk (their contexts touch). */
function groupHunks(ops: Op[], context: number): Op[][] {
  const changed = ops.flatMap((op, k) => (op.kind === ' ' ? [] : [k]));
  const hunks: Op[][] = [];
  let start = -1;
  let end = -1;
  for (const k of changed) {
    if (start >= 0 && k - end - 1 <= 2 * context) {
      end = k;
      continue;
    }
    if (start >= 0) hunks.push(ops.slice(Math.max(0, start - context), end + context + 1));
    start = k;
    end = k;
  }
  if (start >= 0) hunks.push(ops.slice(Math.max(0, start - context), end + context + 1));
  return hunks;
}

function formatHunk(ops: Op[]): string {
  const oldCount = ops.filter((op) => op.kind !== '+').length;
  const newCount = ops.filter((op) => op.kind !== '-').length;
  const first = ops[0] as Op;
  // An empty side starts at the line before (unified diff convention); else at its first line.
  const oldStart = first.kind === '+' ? first.oldNo + (oldCount > 0 ? 1 : 0) : first.oldNo;
  const newStart = first.kind === '-' ? first.newNo + (newCount > 0 ? 1 : 0) : first.newNo;
  const header = `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`;
  return [header, ...ops.map((op) => `${op.kind}${op.line}`)].join('\n');
}
