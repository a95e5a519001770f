import { randomBytes } from 'node:crypto';

const SEQUENCED = /^v(\d{4,9})-/;

/**
 * A new key version id: `v<sequence>-<yyyymmdd>-<random>`. The sequence (one more than the highest so far)
 * orders versions without trusting clocks, which a token without an "active" marker needs; the date is for
 * people reading a key list.
 */
export function newVersionId(existing: readonly string[], now = new Date(), random = randomBytes): string {
  const seq = Math.max(0, ...existing.map(sequenceOf)) + 1;
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `v${String(seq).padStart(4, '0')}-${day}-${random(4).toString('hex')}`;
}

/** 0 for ids without a sequence (release-0.1 KEK ids such as kek-2026-01-15-0a1b2c3d, `legacy`). */
export function sequenceOf(id: string): number {
  const m = SEQUENCED.exec(id);
  return m ? Number(m[1]) : 0;
}

/** The newest version by sequence (ties, which a locked rotation never makes, by id). */
export function newestVersion(ids: readonly string[]): string | undefined {
  return [...ids].sort((a, b) => sequenceOf(a) - sequenceOf(b) || a.localeCompare(b)).at(-1);
}
