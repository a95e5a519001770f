import { describe, expect, it } from 'vitest';
import { CeremonyError } from './ceremony.js';
import { generateSigningKey } from './tuf-keys.js';
import { signMetadata } from './tuf-metadata.js';
import { buildRoot, buildTargets, type TargetEntry } from './tuf-repository.js';
import { reviewTargets, verifiedCurrent } from './targets-review.js';

const targetsKey = generateSigningKey();
const other = generateSigningKey();
const root = signMetadata<'root'>(
  buildRoot({
    version: 1,
    expires: '2030-01-01T00:00:00Z',
    roles: {
      root: { keys: [other.public], threshold: 1 },
      targets: { keys: [targetsKey.public], threshold: 1 },
      snapshot: { keys: [other.public], threshold: 1 },
      timestamp: { keys: [other.public], threshold: 1 },
    },
  }),
  [other],
);
const entry = (name: string, sha: string, version: string, patch: string): TargetEntry => ({
  name,
  length: 1000,
  sha256: sha.repeat(64),
  custom: { version, securityPatchLevel: patch },
});
const signed = (version: number, targets: TargetEntry[], key = targetsKey) =>
  signMetadata<'targets'>(buildTargets({ version, expires: '2030-01-01T00:00:00Z', targets }), [key]);

describe('the targets review before signing', () => {
  const current = signed(1, [
    entry('shiba/15.1/full.zip', 'a', '15.1', '2025-01-05'),
    entry('shiba/15.0/full.zip', 'b', '15.0', '2024-12-05'),
  ]);
  const next = signed(2, [
    entry('shiba/15.1/full.zip', 'c', '15.1', '2025-01-05'),
    entry('shiba/15.2/full.zip', 'd', '15.2', '2025-02-05'),
  ]);

  it('lists every target with hash, length, version and patch level, and the diff to what is signed', () => {
    const { text, diff } = reviewTargets(next, verifiedCurrent(current, root));
    expect(diff).toEqual({
      added: ['shiba/15.2/full.zip'],
      removed: ['shiba/15.0/full.zip'],
      changed: ['shiba/15.1/full.zip'],
      unchanged: [],
    });
    expect(text).toContain(
      `~ shiba/15.1/full.zip  sha256 ${'c'.repeat(64)}  1000 bytes  version 15.1  patch level 2025-01-05`,
    );
    expect(text).toContain(`+ shiba/15.2/full.zip  sha256 ${'d'.repeat(64)}`);
    expect(text).toContain('- shiba/15.0/full.zip  (removed)');
    expect(text).toMatch(/against signed version 1: 1 added, 1 removed, 1 changed/);
  });

  it('refuses a "current" targets file not signed by root\'s targets key, and escapes control characters', () => {
    expect(() => verifiedCurrent(signed(1, [], other), root)).toThrow(CeremonyError);
    const hostile = signed(3, [{ ...entry('shiba/15.3/full.zip', 'e', '15.3\u001b[2J', 'x'), length: 1 }]);
    const { text } = reviewTargets(hostile, undefined);
    expect(text).toContain('version 15.3\\x1b[2J');
    expect(text).toMatch(/every target is shown as added \(1\)/);
  });
});
