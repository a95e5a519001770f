import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../byte-source.js';
import { readEocd } from '../zip/eocd.js';
import { APK_SIGNATURE_ERRORS } from './apk-signature-errors.js';
import { Reader } from './reader.js';
import { findSigningBlock, V3_BLOCK_ID } from './signing-block.js';
import { parseLineage, PROOF_OF_ROTATION_ATTR_ID } from './signer.js';
import { DEFAULT_SIGNING_LIMITS, verifyApkSignatures } from './verify.js';

/*
 * Malformed and hostile inputs, built by mutating apksig corpus APKs whose verdicts corpus.spec.ts checks against
 * apksigner: each mutation must be refused with its code, never crash, and caps must hold.
 */
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const fixture = (name: string): Buffer => readFileSync(`${FIXTURES}${name}`);

const V2_APK = 'v2-only-with-ecdsa-sha256-p256.apk';
const LINEAGE_APK = 'v1v2v3-with-rsa-2048-lineage-3-signers.apk';

async function blockLayout(apk: Buffer): Promise<{ cdOffset: number; blockOffset: number; size: number }> {
  const eocd = await readEocd(bufferSource(apk));
  const size = Number(apk.readBigUInt64LE(eocd.cdOffset - 24)) + 8;
  return { cdOffset: eocd.cdOffset, blockOffset: eocd.cdOffset - size, size };
}

describe('verifyApkSignatures on malformed APK Signing Blocks', () => {
  it('the untouched file verifies (the baseline of the mutations below)', async () => {
    const verdict = await verifyApkSignatures(bufferSource(fixture(V2_APK)));
    expect(verdict).toMatchObject({ schemes: { v2: true, v3: false }, errors: [] });
  });

  it('refuses header and footer sizes that differ', async () => {
    const apk = fixture(V2_APK);
    const { blockOffset } = await blockLayout(apk);
    apk.writeBigUInt64LE(apk.readBigUInt64LE(blockOffset) + 1n, blockOffset);
    expect((await verifyApkSignatures(bufferSource(apk))).errors).toEqual(['signing_block_malformed']);
  });

  it('refuses a footer size reaching before the start of the file', async () => {
    const apk = fixture(V2_APK);
    const { cdOffset } = await blockLayout(apk);
    apk.writeBigUInt64LE(BigInt(cdOffset), cdOffset - 24);
    expect((await verifyApkSignatures(bufferSource(apk))).errors).toEqual(['signing_block_malformed']);
  });

  it('refuses a pair whose length runs past the block', async () => {
    const apk = fixture(V2_APK);
    const { blockOffset, size } = await blockLayout(apk);
    apk.writeBigUInt64LE(BigInt(size), blockOffset + 8);
    expect((await verifyApkSignatures(bufferSource(apk))).errors).toEqual(['signing_block_malformed']);
  });

  it('caps the block size, the pairs and the signers', async () => {
    const apk = bufferSource(fixture(V2_APK));
    const { size } = await blockLayout(fixture(V2_APK));
    const capped = (limits: object) => verifyApkSignatures(apk, { limits });
    expect((await capped({ maxSigningBlockSize: size - 1 })).errors).toEqual(['limit_exceeded']);
    expect((await capped({ maxSigningBlockSize: size })).errors).toEqual([]);
    expect((await capped({ maxPairs: 0 })).errors).toEqual(['limit_exceeded']);
    const tenSigners = bufferSource(fixture('v2-only-10-signers.apk'));
    expect((await verifyApkSignatures(tenSigners)).signers).toHaveLength(10);
    expect((await verifyApkSignatures(tenSigners, { limits: { maxSigners: 9 } })).errors).toEqual([
      'limit_exceeded',
    ]);
  });

  it('never throws and never verifies a changed byte of the v3 block (every byte of it, one at a time)', async () => {
    const original = fixture('v3-only-with-ecdsa-sha256-p256.apk');
    const { blockOffset } = await blockLayout(original);
    const block = (await findSigningBlock(
      bufferSource(original),
      await readEocd(bufferSource(original)),
      DEFAULT_SIGNING_LIMITS,
    ))!;
    const v3 = block.pairs.get(V3_BLOCK_ID)!;
    // The v3 value's offset in the file: find it (it is unique) rather than recompute the layout.
    const at = original.indexOf(v3, blockOffset);
    for (let i = 0; i < v3.length; i++) {
      const apk = Buffer.from(original);
      apk[at + i] = apk[at + i]! ^ 0xff;
      const verdict = await verifyApkSignatures(bufferSource(apk));
      expect(verdict.schemes, `byte ${i} of the v3 block`).toEqual({ v2: false, v3: false });
      expect(verdict.errors).toHaveLength(1);
      expect(APK_SIGNATURE_ERRORS).toContain(verdict.errors[0]);
    }
  }, 120_000);

  it('reports a failing source as read_failed', async () => {
    const apk = fixture(V2_APK);
    const inner = bufferSource(apk);
    let reads = 0;
    const flaky: ByteSource = {
      size: inner.size,
      read: (offset, length) => (++reads > 3 ? Promise.reject(new Error('EIO')) : inner.read(offset, length)),
    };
    expect((await verifyApkSignatures(flaky)).errors).toEqual(['read_failed']);
  });
});

describe('SDK ranges (apksig ApkVerifier: v3 from Android P, v2 before P or without v3)', () => {
  it('with maxSdk < 28 a v2+v3 APK is judged by v2 alone; with minSdk < 28 by both', async () => {
    const apk = bufferSource(fixture('golden-aligned-v1v2v3-out.apk'));
    expect((await verifyApkSignatures(apk, { minSdk: 24, maxSdk: 27 })).schemes).toEqual({
      v2: true,
      v3: false,
    });
    expect((await verifyApkSignatures(apk, { minSdk: 24 })).schemes).toEqual({ v2: true, v3: true });
    expect((await verifyApkSignatures(apk)).schemes).toEqual({ v2: false, v3: true });
  });
});

describe('the proof-of-rotation lineage', () => {
  /** The lineage attribute of the corpus APK's v3 signer, found by walking the v3 block. */
  async function lineageAttribute(): Promise<Buffer> {
    const apk = fixture(LINEAGE_APK);
    const source = bufferSource(apk);
    const block = (await findSigningBlock(source, await readEocd(source), DEFAULT_SIGNING_LIMITS))!;
    const signer = new Reader(new Reader(block.pairs.get(V3_BLOCK_ID)!).lengthPrefixed()).lengthPrefixed();
    const signedData = new Reader(new Reader(signer).lengthPrefixed());
    signedData.lengthPrefixed(); // digests
    signedData.lengthPrefixed(); // certificates
    signedData.uint32();
    signedData.uint32();
    for (const attribute of new Reader(signedData.lengthPrefixed()).sequence('attributes', 64)) {
      const r = new Reader(attribute);
      if (r.uint32() === PROOF_OF_ROTATION_ATTR_ID) return Buffer.from(r.rest());
    }
    throw new Error('no lineage attribute');
  }

  it('is reported oldest first, ending with the signer (3 certificates)', async () => {
    const verdict = await verifyApkSignatures(bufferSource(fixture(LINEAGE_APK)));
    expect(verdict.lineage).toHaveLength(3);
    expect(verdict.lineage.at(-1)).toBe(verdict.signers[0]);
    // The corpus's original signer (the golden-* files' only signer, per apksigner-verdicts.tsv) comes first.
    expect(verdict.lineage[0]).toBe('fb5dbd3c669af9fc236c6991e6387b7f11ff0590997f22d0f5c74ff40e04fca8');
    expect(parseLineage(await lineageAttribute(), 32).map((c) => c.sha256)).toEqual(verdict.lineage);
  });

  it('refuses an unknown version, a broken link, a repeated node, a truncation and too many nodes', async () => {
    const good = await lineageAttribute();
    const refuses = (bytes: Buffer, max = 32) =>
      expect(() => parseLineage(bytes, max)).toThrow(/lineage|more than/);

    const version = Buffer.from(good);
    version.writeUInt32LE(2, 0);
    refuses(version);

    // The last byte is the end of the last node's signature, made by the previous key.
    const link = Buffer.from(good);
    link[link.length - 1] = link[link.length - 1]! ^ 0x01;
    refuses(link);

    const first = new Reader(good.subarray(4)).lengthPrefixed();
    const firstNode = good.subarray(4, 4 + 4 + first.length);
    refuses(Buffer.concat([good, firstNode]));

    refuses(good.subarray(0, good.length - 1));
    refuses(good, 2);
    expect(parseLineage(good, 3)).toHaveLength(3);
  });
});
