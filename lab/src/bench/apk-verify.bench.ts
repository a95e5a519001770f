import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApk, fileSource, inspectApk, makeSigner, verifyApkSignatures } from '@pakawaaz/apk';

/**
 * APK signature verification of a 100 MB APK (v2 + v3, one ECDSA P-256 signer, built and signed here by
 * @pakawaaz/apk's writer) against the baseline of the same run: a plain SHA-256 of the same file, streamed.
 * Verifying reads the file once and hashes it in 1 MiB chunks (plus the chunk digests' digest), so it cannot
 * beat the plain hash; the target is ≥ 0.7× its speed. The whole inspection (ZIP, manifest, v1 check) too.
 */
const SIZE_MB = 100;
const TARGET_RATIO = 0.7;
const ROUNDS = 3;

async function best(task: () => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await task();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file, { highWaterMark: 8 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .once('error', reject)
      .once('end', () => resolve(hash.digest('hex')));
  });
}

async function withSource<T>(file: string, fn: (s: Awaited<ReturnType<typeof fileSource>>) => Promise<T>) {
  const source = await fileSource(file);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-apk-bench-'));
  try {
    const signer = await makeSigner({ algorithm: 'ec-p256', subject: 'CN=Pakawaaz bench' });
    const apk = await buildApk({
      manifest: {
        package: 'gov.pakawaaz.bench',
        versionCode: 1,
        versionName: '1',
        minSdk: 28,
        targetSdk: 35,
      },
      entries: [{ name: 'assets/payload.bin', data: randomBytes(SIZE_MB << 20), compress: false }],
      signers: [signer],
    });
    const file = path.join(dir, 'bench.apk');
    await writeFile(file, apk);
    const mb = apk.length / (1 << 20);
    const hashMs = await best(() => sha256File(file));
    const verifyMs = await best(() =>
      withSource(file, async (s) => {
        const v = await verifyApkSignatures(s);
        if (v.errors.length > 0) throw new Error(`the bench APK did not verify: ${v.errors.join(', ')}`);
      }),
    );
    const inspectMs = await best(() =>
      withSource(file, async (s) => {
        const v = await inspectApk(s);
        if (!v.verified) throw new Error(`the bench APK was refused: ${v.errors.join(', ')}`);
      }),
    );
    const line = (name: string, ms: number) =>
      `${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${(mb / (ms / 1000)).toFixed(0).padStart(5)} MB/s`;
    const ratio = hashMs / verifyMs;
    process.stdout.write(
      `${line(`plain SHA-256 of the ${mb.toFixed(0)} MB file (baseline)`, hashMs)}\n` +
        `${line('v2/v3 signature verification', verifyMs)}  x${ratio.toFixed(2)} of baseline  ` +
        `${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'} (target ≥ x${TARGET_RATIO})\n` +
        `${line('whole inspection (ZIP, manifest, v1, v2/v3)', inspectMs)}  x${(hashMs / inspectMs).toFixed(2)} of baseline\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
