import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tuf from '@pakawaaz/hardened-os/tuf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCli } from '../cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cli-sign-targets-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('os tuf sign-targets', () => {
  it('shows every target before signing, and off a terminal signs nothing without --yes', async () => {
    const rootKey = await tuf.keygen('root', dir);
    const targetsKey = await tuf.keygen('targets', dir);
    const pub = async (f: string) => (await tuf.readPublicKey(f)).key;
    const one = { keys: [await pub(rootKey.publicFile)], threshold: 1 };
    const root = tuf.newRoot({
      version: 1,
      expiresDays: 365,
      now: new Date(),
      roles: {
        root: one,
        targets: { keys: [await pub(targetsKey.publicFile)], threshold: 1 },
        snapshot: one,
        timestamp: one,
      },
    });
    const rootFile = path.join(dir, '1.root.json');
    await tuf.writeMetadata(
      rootFile,
      tuf.addSignatures(root, 'root', [await tuf.readSigningKey(rootKey.privateFile)], [root]),
    );
    const exportFile = path.join(dir, 'export.json');
    const sha = 'f'.repeat(64);
    await writeFile(
      exportFile,
      JSON.stringify({
        targets: [
          {
            name: 'shiba/15.2/full.zip',
            length: 42,
            sha256: sha,
            custom: { version: '15.2', securityPatchLevel: '2025-02-05' },
          },
        ],
        skipped: 0,
        currentVersion: 0,
      }),
    );
    const out: string[] = [];
    const io = { env: {}, stdout: (s: string) => out.push(s), stderr: () => undefined };
    const program = await buildCli(io, ['os']);
    program.exitOverride();
    const outFile = path.join(dir, '1.targets.json');
    const args = [
      'os',
      'tuf',
      'sign-targets',
      '--export',
      exportFile,
      '--root',
      rootFile,
      '--key',
      targetsKey.privateFile,
      '--out',
      outFile,
    ];
    await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow(/Give --yes to sign/);
    expect(out.join('')).toContain(
      `+ shiba/15.2/full.zip  sha256 ${sha}  42 bytes  version 15.2  patch level 2025-02-05`,
    );
    expect(existsSync(outFile)).toBe(false);
    const again = await buildCli(io, ['os']);
    again.exitOverride();
    await again.parseAsync([...args, '--yes'], { from: 'user' });
    expect(existsSync(outFile)).toBe(true);
  });
});
