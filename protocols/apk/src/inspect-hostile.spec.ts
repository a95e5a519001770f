import { describe, expect, it } from 'vitest';
import { buildApkSync } from './build/build-apk.js';
import { makeSigner } from './build/make-signer.js';
import { bufferSource } from './byte-source.js';
import { inspectApk } from './inspect.js';

/** Inserts an ID-value pair into the APK Signing Block (pairs are covered by no digest: anyone can). */
function withExtraPair(apk: Buffer, id: number, value: Buffer): Buffer {
  const eocd = apk.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cdOff = apk.readUInt32LE(eocd + 16);
  const size = Number(apk.readBigUInt64LE(cdOff - 24));
  const blockOff = cdOff - size - 8;
  const pair = Buffer.alloc(12);
  pair.writeBigUInt64LE(BigInt(4 + value.length));
  pair.writeUInt32LE(id, 8);
  const grown = BigInt(size + pair.length + value.length);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(grown);
  const block = Buffer.concat([
    head,
    apk.subarray(blockOff + 8, cdOff - 24),
    pair,
    value,
    head,
    Buffer.from('APK Sig Block 42'),
  ]);
  const tail = Buffer.from(apk.subarray(cdOff));
  tail.writeUInt32LE(cdOff + pair.length + value.length, eocd - cdOff + 16);
  return Buffer.concat([apk.subarray(0, blockOff), block, tail]);
}

describe('inspectApk on hostile signing blocks', () => {
  it('refuses an APK Signature Scheme v3.1 block it cannot check (Android 13+ would prefer its signer)', async () => {
    const signer = await makeSigner({ algorithm: 'ec-p256', subject: 'CN=P' });
    const apk = buildApkSync({
      manifest: { package: 'org.example.app', versionCode: 1, versionName: '1', minSdk: 28, targetSdk: 35 },
      signers: [signer],
    });
    expect((await inspectApk(bufferSource(apk))).verified).toBe(true);
    const evil = withExtraPair(apk, 0x1b93ad61, Buffer.alloc(64, 0x41));
    const verdict = await inspectApk(bufferSource(evil));
    expect(verdict.verified).toBe(false);
    expect(verdict.errors).toContain('v31_unsupported');
    // An unknown pair (padding, a vendor's) stays harmless, as on Android.
    expect((await inspectApk(bufferSource(withExtraPair(apk, 0x42726577, Buffer.alloc(16))))).verified).toBe(
      true,
    );
  });
});
