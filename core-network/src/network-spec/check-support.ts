import type { SliceRef } from './network-spec.schema.js';

/** What the cross-field checks share: where findings go, and how slices and duplicates are named. */
export type CheckIssue = { path: string; message: string };
export type CheckResult = { errors: CheckIssue[]; warnings: CheckIssue[] };

export type Findings = CheckResult & {
  error: (path: string, message: string) => void;
  warn: (path: string, message: string) => void;
};

export function newFindings(): Findings {
  const errors: CheckIssue[] = [];
  const warnings: CheckIssue[] = [];
  return {
    errors,
    warnings,
    error: (path, message) => void errors.push({ path, message }),
    warn: (path, message) => void warnings.push({ path, message }),
  };
}

export function sliceLabel(s: SliceRef): string {
  return s.sd === undefined ? `SST ${s.sst}` : `SST ${s.sst} SD ${s.sd}`;
}

export function sliceKey(s: SliceRef): string {
  return `${s.sst}/${s.sd ?? '-'}`;
}

/** Calls onDuplicate(index, firstIndex) for every item whose key was seen before. */
export function firstSeen<T>(
  items: readonly T[],
  key: (t: T) => string,
  onDuplicate: (i: number, first: number) => void,
) {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else onDuplicate(i, first);
  });
}
