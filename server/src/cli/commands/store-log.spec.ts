import { generateKeyPairSync, sign } from 'node:crypto';
import {
  consistencyProof,
  ed25519VerifierKey,
  MemoryLog,
  parseVerifierKey,
  signCheckpoint,
  type NoteSigner,
} from '@pakawaaz/transparency-log';
import { describe, expect, it } from 'vitest';
import { verifyLogCheckpoints } from './store-log.js';

const ORIGIN = 'pakawaaz.test/app-store/log';

function signer(name = ORIGIN): NoteSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { name, publicKey: Buffer.from(x, 'base64url'), sign: (m) => sign(null, m, privateKey) };
}

describe('store log verify (offline half)', () => {
  it('accepts an extension of the older tree and refuses forgeries, rewrites and foreign keys', async () => {
    const log = new MemoryLog();
    const key = signer();
    const vkey = parseVerifierKey(ed25519VerifierKey(key.name, key.publicKey));
    const note = async (l: MemoryLog, s = key) =>
      signCheckpoint({ origin: ORIGIN, size: l.size, rootHash: l.root(), extensions: [] }, [s]);
    for (let i = 0; i < 3; i++) log.append(Buffer.from(`apk ${i}`));
    const older = await note(log);
    for (let i = 3; i < 7; i++) log.append(Buffer.from(`apk ${i}`));
    const newer = await note(log);
    const proof = (await consistencyProof(log, 3, 7)).map((h) => h.toString('hex'));

    expect(verifyLogCheckpoints(older, newer, proof, vkey).exitCode).toBe(0);
    // A history rewritten at leaf 1, signed by the real key: the proof cannot link both roots.
    const forked = new MemoryLog();
    for (let i = 0; i < 7; i++) forked.append(Buffer.from(i === 1 ? 'evil apk' : `apk ${i}`));
    const forkedNote = await note(forked);
    const forkedProof = (await consistencyProof(forked, 3, 7)).map((h) => h.toString('hex'));
    const r = verifyLogCheckpoints(older, forkedNote, forkedProof, vkey);
    expect(r.exitCode).toBe(2);
    expect(r.message).toContain('tlog_root_mismatch');
    // An edited checkpoint (the size line) no longer carries the log's signature.
    expect(verifyLogCheckpoints(older, newer.replace('\n7\n', '\n8\n'), proof, vkey).message).toContain(
      'note_',
    );
    // Signed by another key under the same name: refused.
    expect(verifyLogCheckpoints(older, await note(log, signer()), proof, vkey).exitCode).toBe(2);
    // Another origin than the pinned one.
    expect(verifyLogCheckpoints(older, newer, proof, vkey, 'other.log/x').exitCode).toBe(2);
    // A proof that is not hashes.
    expect(verifyLogCheckpoints(older, newer, ['zz'], vkey).exitCode).toBe(2);
  });
});
