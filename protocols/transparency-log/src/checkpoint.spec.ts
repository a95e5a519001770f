import { describe, expect, it } from 'vitest';
import {
  checkpointText,
  parseCheckpointText,
  signCheckpoint,
  verifyCheckpoint,
  verifyCheckpointConsistency,
} from './checkpoint.js';
import { MemoryLog, consistencyProof } from './merkle.js';
import { parseSignerKey, parseVerifierKey } from './note.js';

/*
 * A real signed tree head of the Go checksum database (sum.golang.org, a C2SP tlog-checkpoint whose origin
 * is "go.sum database tree"), as served for the lookup of github.com/libp2p/go-libp2p-blankhost@v0.2.0, and
 * the database's public key, which the go command pins (cmd/go/internal/modfetch/key.go). Only Google's key
 * can have made this signature: the golden is upstream's, not ours.
 */
const SUMDB_VKEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const SUMDB_CHECKPOINT =
  'go.sum database tree\n3784599\n7uvxIZ67TZygcq/AehTD8iHYt81Ih+Zl2Y7vXZbfszQ=\n\n' +
  '— sum.golang.org Az3grn972wXskjQrsZhVGc93fTU2uOsmSTiId1Wn1lxDCup5z4ggl1/4gaUqOkMa6cMbYvjB7hn7yemNr7Zqanol/go=\n';
const sumdb = parseVerifierKey(SUMDB_VKEY);

/** Go's test key (sumdb/note/note_test.go), as the log key of our own checkpoints. */
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

describe('tlog-checkpoint', () => {
  it('verifies sum.golang.org’s signed tree head', () => {
    const r = verifyCheckpoint(SUMDB_CHECKPOINT, sumdb, 'go.sum database tree');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.checkpoint.size).toBe(3784599);
    expect(r.checkpoint.rootHash.toString('base64')).toBe('7uvxIZ67TZygcq/AehTD8iHYt81Ih+Zl2Y7vXZbfszQ=');
  });

  it('refuses it for another origin, or with a changed size or root', () => {
    expect(verifyCheckpoint(SUMDB_CHECKPOINT, sumdb, 'sum.golang.org')).toMatchObject({
      code: 'checkpoint_origin_mismatch',
    });
    expect(
      verifyCheckpoint(SUMDB_CHECKPOINT.replace('3784599', '3784600'), sumdb, 'go.sum database tree'),
    ).toMatchObject({ code: 'note_signature_invalid' });
    expect(verifyCheckpoint(SUMDB_CHECKPOINT.replace('7uvx', '7uvy'), sumdb, 'go.sum database tree').ok).toBe(
      false,
    );
    expect(
      verifyCheckpoint(SUMDB_CHECKPOINT, parseVerifierKey(PETER_VKEY), 'go.sum database tree'),
    ).toMatchObject({
      code: 'note_no_verified_signature',
    });
  });

  it('signs a checkpoint of our log that verifies, extension lines kept', async () => {
    const log = new MemoryLog();
    for (const apk of ['a', 'b', 'c']) log.append(Buffer.from(apk));
    const c = {
      origin: 'PeterNeumann',
      size: log.size,
      rootHash: log.root(),
      extensions: ['rekor-style note'],
    };
    const note = await signCheckpoint(c, [parseSignerKey(PETER_SKEY)]);
    expect(
      note.startsWith(
        `PeterNeumann\n3\n${log.root().toString('base64')}\nrekor-style note\n\n— PeterNeumann `,
      ),
    ).toBe(true);
    const r = verifyCheckpoint(note, parseVerifierKey(PETER_VKEY), 'PeterNeumann');
    expect(r.ok && r.checkpoint).toEqual(c);
  });

  it('parses only well-formed checkpoint text', () => {
    const root = Buffer.alloc(32, 9).toString('base64');
    expect(parseCheckpointText(`o\n0\n${root}\n`)).toMatchObject({ origin: 'o', size: 0 });
    for (const bad of [
      `o\n0\n${root}`,
      `\n1\n${root}\n`,
      `o\n01\n${root}\n`,
      `o\n-1\n${root}\n`,
      `o\n1e3\n${root}\n`,
      `o\n99999999999999999\n${root}\n`,
      `o\n1\n${Buffer.alloc(31).toString('base64')}\n`,
      `o\n1\n${root.replace('=', '')}\n`,
      `o\n1\n${root}\n\n`,
      `o\n1\n`,
      `o\n1\n${root}\n${'x\n'.repeat(17)}`,
    ])
      expect(parseCheckpointText(bad), JSON.stringify(bad)).toBeUndefined();
    expect(checkpointText({ origin: 'o', size: 5, rootHash: Buffer.alloc(32), extensions: [] })).toBe(
      `o\n5\n${Buffer.alloc(32).toString('base64')}\n`,
    );
  });
});

describe('verifyCheckpointConsistency', () => {
  const signer = parseSignerKey(PETER_SKEY);
  const verifier = parseVerifierKey(PETER_VKEY);
  const head = (log: MemoryLog) =>
    signCheckpoint({ origin: 'PeterNeumann', size: log.size, rootHash: log.root(), extensions: [] }, [
      signer,
    ]);

  it('accepts a grown log and refuses one that rewrote an entry', async () => {
    const log = new MemoryLog();
    for (let i = 0; i < 5; i++) log.append(Buffer.from(`apk ${i}`));
    const older = await head(log);
    for (let i = 5; i < 13; i++) log.append(Buffer.from(`apk ${i}`));
    const newer = await head(log);
    const proof = await consistencyProof(log, 5, 13);
    expect(verifyCheckpointConsistency(older, newer, proof, verifier, 'PeterNeumann')).toMatchObject({
      ok: true,
      older: { size: 5 },
      newer: { size: 13 },
    });

    // The same log with APK 3 swapped: every later checkpoint is well signed, none extends the older one.
    const forked = new MemoryLog();
    for (let i = 0; i < 13; i++) forked.append(Buffer.from(i === 3 ? 'evil apk' : `apk ${i}`));
    const forkedHead = await head(forked);
    const forkedProof = await consistencyProof(forked, 5, 13);
    expect(
      verifyCheckpointConsistency(older, forkedHead, forkedProof, verifier, 'PeterNeumann'),
    ).toMatchObject({
      ok: false,
      code: 'tlog_root_mismatch',
    });
    expect(verifyCheckpointConsistency(newer, older, proof, verifier, 'PeterNeumann')).toMatchObject({
      ok: false,
      code: 'tlog_size_invalid',
    });
    expect(
      verifyCheckpointConsistency(older, SUMDB_CHECKPOINT, proof, verifier, 'PeterNeumann'),
    ).toMatchObject({
      ok: false,
      code: 'note_no_verified_signature',
    });
  });
});
