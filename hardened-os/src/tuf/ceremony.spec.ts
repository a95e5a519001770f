import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addSignatures,
  CeremonyError,
  keygen,
  newRoot,
  nextRoot,
  readPublicKey,
  readSigningKey,
  signTargetsFromExport,
} from './ceremony.js';
import { verifyRootRotation, verifyThreshold } from './tuf-metadata.js';
import type { RoleKeys } from './tuf-repository.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tuf-ceremony-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));
const now = new Date('2026-06-01T00:00:00Z');

async function keys(role: 'root' | 'targets' | 'snapshot' | 'timestamp', n = 1) {
  const made = [];
  for (let i = 0; i < n; i += 1) made.push(await keygen(role, dir));
  return made;
}

describe('the offline ceremony', () => {
  it('writes private keys 0600 and public files without the private key', async () => {
    const [k] = await keys('root');
    expect((await stat(k!.privateFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(k!.publicFile, 'utf8')).not.toMatch(/PRIVATE/);
    expect((await readSigningKey(k!.privateFile)).keyid).toBe(k!.keyid);
    await expect(readSigningKey(k!.publicFile)).rejects.toThrow(CeremonyError);
  });

  it('builds root 1, signs it 2-of-3, rotates to root 2 endorsed by both, signs targets from an export', async () => {
    const rootKeys = await keys('root', 3);
    const [targets] = await keys('targets');
    const [snap] = await keys('snapshot');
    const [ts] = await keys('timestamp');
    const pub = async (f: string) => (await readPublicKey(f)).key;
    const roles: RoleKeys = {
      root: { keys: await Promise.all(rootKeys.map((k) => pub(k.publicFile))), threshold: 2 },
      targets: { keys: [await pub(targets!.publicFile)], threshold: 1 },
      snapshot: { keys: [await pub(snap!.publicFile)], threshold: 1 },
      timestamp: { keys: [await pub(ts!.publicFile)], threshold: 1 },
    };
    const unsigned = newRoot({ version: 1, expiresDays: 365, now, roles });
    const signers = await Promise.all(rootKeys.map((k) => readSigningKey(k.privateFile)));
    // Two holders sign in turn (the second run adds to the first's file).
    const once = addSignatures(unsigned, 'root', [signers[0]!], [unsigned]);
    const root1 = addSignatures(once, 'root', [signers[1]!], [unsigned]);
    expect(() => verifyThreshold(root1, root1.signed, 'root')).not.toThrow();
    expect(root1.signed.expires).toBe('2027-06-01T00:00:00Z');

    const [newRootKey] = await keys('root');
    const rotated = nextRoot(
      root1,
      { root: { keys: [await pub(newRootKey!.publicFile)], threshold: 1 } },
      365,
      now,
    );
    const newSigner = await readSigningKey(newRootKey!.privateFile);
    const root2 = addSignatures(rotated, 'root', [signers[0]!, signers[2]!, newSigner], [root1, rotated]);
    expect(() => verifyRootRotation(root1.signed, root2)).not.toThrow();
    expect(root2.signed.roles.targets).toEqual(root1.signed.roles.targets);
    // The old root keys are retired by root 2: they may not sign root 3 alone.
    const root3 = nextRoot(root2, {}, 365, now);
    expect(() => addSignatures(root3, 'root', [signers[1]!], [root2, root3])).toThrow(/retired/);

    const exportFile = path.join(dir, 'export.json');
    await writeFile(
      exportFile,
      JSON.stringify({
        targets: [
          { name: 'shiba/15.1/full.zip', length: 3, sha256: 'a'.repeat(64), custom: { version: '15.1' } },
        ],
        skipped: 0,
        currentVersion: 4,
      }),
    );
    const targetKey = await readSigningKey(targets!.privateFile);
    const signed = await signTargetsFromExport({
      exportFile,
      root: root2,
      keys: [targetKey],
      expiresDays: 90,
      now,
    });
    expect(signed.signed.version).toBe(5);
    expect(() => verifyThreshold(signed, root2.signed, 'targets')).not.toThrow();
    // The snapshot key is not a targets key.
    const snapKey = await readSigningKey(snap!.privateFile);
    await expect(
      signTargetsFromExport({ exportFile, root: root2, keys: [snapKey], expiresDays: 90, now }),
    ).rejects.toThrow(/not a targets key/);
    await writeFile(
      exportFile,
      '{"targets":[{"name":"../x","length":1,"sha256":"' + 'a'.repeat(64) + '"}],"currentVersion":0}',
    );
    await expect(
      signTargetsFromExport({ exportFile, root: root2, keys: [targetKey], expiresDays: 90, now }),
    ).rejects.toThrow(/bad target name/);
  });
});
