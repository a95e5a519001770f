import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { bufferSource, fileSource } from '../byte-source.js';
import { readEocd } from '../zip/eocd.js';
import { verifyApkSignatures } from './verify.js';

/*
 * APKs signed here, by Debian's apksigner (the Android SDK's, built from AOSP apksig) with keys openssl makes,
 * then verified by it and by us: verdicts, signer and lineage certificates must agree, and a byte flipped in any
 * signed region must be refused by both.
 */
const APKSIGNER = process.env.PAKAWAAZ_APKSIGNER ?? '/usr/bin/apksigner';
const OPENSSL = process.env.PAKAWAAZ_OPENSSL ?? '/usr/bin/openssl';
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
/** An unsigned APK with a manifest (apksigner reads minSdkVersion from it). */
const UNSIGNED = `${FIXTURES}unsigned-targetSandboxVersion-2.apk`;

const requireServices = (): boolean =>
  ['1', 'true', 'yes'].includes(process.env.PAKAWAAZ_REQUIRE_SERVICES ?? '');

function toolsAvailable(): boolean {
  if (existsSync(APKSIGNER) && existsSync(OPENSSL)) return true;
  if (requireServices()) return true; // the tests then fail in beforeAll
  console.warn(
    `\n[notice] apksigner (${APKSIGNER}, Debian package \`apksigner\`) or openssl is not installed: skipping the apksigner interoperability tests. Set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );
  return false;
}
const HAVE_TOOLS = toolsAvailable();

const run = promisify(execFile);

type ApksignerVerdict = {
  verifies: boolean;
  v2: boolean;
  v3: boolean;
  signers: string[];
};

/** `apksigner verify -v --print-certs`, parsed; a refusal (non-zero exit) is `verifies: false`. */
async function apksignerVerify(apk: string, minSdk: number): Promise<ApksignerVerdict> {
  let stdout: string;
  try {
    ({ stdout } = await run(APKSIGNER, [
      'verify',
      '-v',
      '--print-certs',
      '--min-sdk-version',
      `${minSdk}`,
      apk,
    ]));
  } catch {
    return { verifies: false, v2: false, v3: false, signers: [] };
  }
  const scheme = (n: number): boolean =>
    new RegExp(`^Verified using v${n} scheme \\(APK Signature Scheme v${n}\\): true$`, 'm').test(stdout);
  return {
    verifies: /^Verifies$/m.test(stdout),
    v2: scheme(2),
    v3: scheme(3),
    signers: [...stdout.matchAll(/^Signer #\d+ certificate SHA-256 digest: ([0-9a-f]{64})$/gm)].map(
      (m) => m[1]!,
    ),
  };
}

/** `apksigner lineage --print-certs`: the lineage certificates, oldest first; empty when the APK has none. */
async function apksignerLineage(apk: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(APKSIGNER, ['lineage', '--in', apk, '--print-certs']));
  } catch (err) {
    // Without one it exits non-zero saying so; anything else is a failure of the test.
    const { stdout: out = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    if (/does not contain a valid lineage/.test(out + stderr)) return [];
    throw err;
  }
  return [...stdout.matchAll(/^Signer #\d+ in lineage certificate SHA-256 digest: ([0-9a-f]{64})$/gm)].map(
    (m) => m[1]!,
  );
}

async function ours(apk: string, minSdk: number): Promise<ApksignerVerdict & { lineage: string[] }> {
  const verdict = await verifyApkSignatures(bufferSource(await readFile(apk)), { minSdk });
  const verifies = verdict.errors.length === 0 && (verdict.schemes.v2 || verdict.schemes.v3);
  return { verifies, ...verdict.schemes, signers: verdict.signers, lineage: verdict.lineage };
}

describe.skipIf(!HAVE_TOOLS)('APKs signed by apksigner', () => {
  let dir = '';
  const key = (name: string): string[] => [
    '--key',
    join(dir, `${name}.pk8`),
    '--cert',
    join(dir, `${name}.crt`),
  ];

  async function sign(out: string, args: string[]): Promise<string> {
    const path = join(dir, out);
    await run(APKSIGNER, ['sign', ...args, '--out', path, UNSIGNED]);
    return path;
  }

  beforeAll(async () => {
    if (!existsSync(APKSIGNER) || !existsSync(OPENSSL))
      throw new Error(
        `apksigner and openssl are required (PAKAWAAZ_REQUIRE_SERVICES=1): apt-get install apksigner openssl`,
      );
    dir = await mkdtemp(join(tmpdir(), 'apk-signing-'));
    const keys: Array<[string, string[]]> = [
      ['rsa', ['-newkey', 'rsa:2048']],
      ['rsa3072', ['-newkey', 'rsa:3072']],
      ['ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ];
    for (const [name, alg] of keys) {
      const pem = join(dir, `${name}.pem`);
      await run(OPENSSL, [
        'req',
        '-x509',
        ...alg,
        '-nodes',
        '-keyout',
        pem,
        '-out',
        join(dir, `${name}.crt`),
        '-days',
        '3650',
        '-subj',
        `/CN=pakawaaz test ${name}`,
      ]);
      await run(OPENSSL, [
        'pkcs8',
        '-topk8',
        '-nocrypt',
        '-in',
        pem,
        '-outform',
        'DER',
        '-out',
        join(dir, `${name}.pk8`),
      ]);
    }
  }, 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, string[], number]> = [
    [
      'RSA, v2 only',
      ['--v1-signing-enabled', 'false', '--v2-signing-enabled', 'true', '--v3-signing-enabled', 'false'],
      28,
    ],
    ['EC, v1+v2+v3', ['--v2-signing-enabled', 'true', '--v3-signing-enabled', 'true'], 28],
    ['RSA 3072, v2+v3 with verity', ['--v3-signing-enabled', 'true', '--verity-enabled', 'true'], 28],
    ['EC, v2+v3, verified for SDK 24 (both schemes count)', ['--v3-signing-enabled', 'true'], 24],
  ];

  it.each(cases)(
    '%s: the same verdict and signers as apksigner verify',
    async (name, args, minSdk) => {
      const keyName = name.startsWith('EC') ? 'ec' : name.startsWith('RSA 3072') ? 'rsa3072' : 'rsa';
      const apk = await sign(`${keyName}-${minSdk}-${args.length}.apk`, [...key(keyName), ...args]);
      const theirs = await apksignerVerify(apk, minSdk);
      expect(theirs.verifies).toBe(true);
      const mine = await ours(apk, minSdk);
      expect({ ...mine, lineage: undefined }).toEqual({ ...theirs, lineage: undefined });
      expect(mine.lineage).toEqual([]);
    },
    60_000,
  );

  it('key rotation (apksigner rotate, sign --lineage): the new signer and the lineage as apksigner reads them', async () => {
    const lineage = join(dir, 'lineage.bin');
    await run(APKSIGNER, [
      'rotate',
      '--out',
      lineage,
      '--old-signer',
      ...key('rsa'),
      '--new-signer',
      ...key('ec'),
    ]);
    const apk = await sign('rotated.apk', [
      ...key('rsa'),
      '--next-signer',
      ...key('ec'),
      '--lineage',
      lineage,
    ]);
    const theirs = await apksignerVerify(apk, 28);
    expect(theirs).toMatchObject({ verifies: true, v3: true });
    const theirLineage = await apksignerLineage(apk);
    expect(theirLineage).toHaveLength(2);
    const mine = await ours(apk, 28);
    expect({ ...mine, lineage: undefined }).toEqual({ ...theirs, lineage: undefined });
    expect(mine.lineage).toEqual(theirLineage);
    expect(mine.lineage.at(-1)).toEqual(mine.signers[0]);
  }, 60_000);

  it('a multi-chunk APK (several 1 MiB chunks, slices and verity pages across section ends), any slice size', async () => {
    const unsigned = join(dir, 'multi-unsigned.apk');
    const data = randomBytes((5 << 19) + 123);
    await writeFile(unsigned, await withStoredEntry(await readFile(UNSIGNED), 'assets/data.bin', data));
    for (const [keyName, extra] of [
      ['rsa', ['--verity-enabled', 'true']],
      ['ec', ['--v3-signing-enabled', 'false']],
    ] as const) {
      const apk = join(dir, `multi-${keyName}.apk`);
      await run(APKSIGNER, ['sign', ...key(keyName), ...extra, '--out', apk, unsigned]);
      const theirs = await apksignerVerify(apk, 28);
      expect(theirs.verifies).toBe(true);
      const bytes = await readFile(apk);
      for (const sliceSize of [1 << 20, 3 << 19, 2 << 20, 8 << 20]) {
        const mine = await verifyApkSignatures(bufferSource(bytes), { limits: { sliceSize } });
        expect({ ...mine.schemes, signers: mine.signers, errors: mine.errors }).toEqual({
          v2: theirs.v2,
          v3: theirs.v3,
          signers: theirs.signers,
          errors: [],
        });
      }
      const flipped = Buffer.from(bytes);
      flipped[(2 << 20) + 7] = flipped[(2 << 20) + 7]! ^ 0x80;
      expect((await verifyApkSignatures(bufferSource(flipped))).errors).toEqual(['digest_mismatch']);
    }
  }, 120_000);

  it.each([
    'golden-aligned-v3-lineage-out.apk',
    'golden-aligned-v2v3-lineage-out.apk',
    'golden-legacy-aligned-v3-lineage-out.apk',
    'golden-unaligned-v2v3-lineage-out.apk',
    'v1v2v3-with-rsa-2048-lineage-3-signers.apk',
    'golden-aligned-out.apk',
    'stamp-lineage-with-3-signers.apk',
  ])(
    'corpus %s: the lineage apksigner reads',
    async (file) => {
      const theirs = await apksignerLineage(`${FIXTURES}${file}`);
      const mine = await ours(`${FIXTURES}${file}`, 28);
      expect(mine.verifies).toBe(true);
      expect(mine.lineage).toEqual(theirs);
    },
    60_000,
  );

  describe('one byte flipped in a signed region is refused by both', () => {
    let signed: Buffer;
    let layout: { blockOffset: number; cdOffset: number; eocdOffset: number; signedDataOffset: number };

    beforeAll(async () => {
      const apk = await sign('tamper-base.apk', [
        ...key('rsa'),
        '--v1-signing-enabled',
        'false',
        '--v3-signing-enabled',
        'false',
      ]);
      signed = await readFile(apk);
      const eocd = await readEocd(bufferSource(signed));
      const blockSize = Number(signed.readBigUInt64LE(eocd.cdOffset - 24)) + 8;
      const blockOffset = eocd.cdOffset - blockSize;
      // The v2 pair: uint64 length, uint32 id 0x7109871a; its value: signers, signer, signed data (all
      // length-prefixed), whose first field is the digests sequence.
      let pair = blockOffset + 8;
      while (signed.readUInt32LE(pair + 8) !== 0x7109871a) pair += 8 + Number(signed.readBigUInt64LE(pair));
      const signedDataOffset = pair + 12 + 4 + 4 + 4;
      layout = { blockOffset, cdOffset: eocd.cdOffset, eocdOffset: eocd.offset, signedDataOffset };
    }, 60_000);

    const regions: Array<[string, () => number, string]> = [
      ['an entry’s data', () => Math.floor(layout.blockOffset / 2), 'digest_mismatch'],
      ['the central directory (a CRC-32)', () => layout.cdOffset + 16, 'digest_mismatch'],
      ['the EOCD (its comment length)', () => layout.eocdOffset + 20, 'zip_no_eocd'],
      ['the EOCD (its entry count)', () => layout.eocdOffset + 10, 'zip_multi_disk'],
      [
        'the signed data inside the signing block (a content digest)',
        () => layout.signedDataOffset + 20,
        'signature_invalid',
      ],
    ];

    it('the untampered APK verifies with both', async () => {
      const path = join(dir, 'untampered.apk');
      await writeFile(path, signed);
      expect((await apksignerVerify(path, 28)).verifies).toBe(true);
      expect((await ours(path, 28)).verifies).toBe(true);
    }, 60_000);

    it.each(regions)(
      '%s',
      async (_region, offset, code) => {
        const at = offset();
        const tampered = Buffer.from(signed);
        tampered[at] = tampered[at]! ^ 0x01;
        const path = join(dir, `tampered-${at}.apk`);
        await writeFile(path, tampered);
        expect((await apksignerVerify(path, 28)).verifies).toBe(false);
        const mine = await verifyApkSignatures(bufferSource(tampered), { minSdk: 28 });
        expect(mine.schemes).toEqual({ v2: false, v3: false });
        expect(mine.errors).toEqual([code]);
      },
      60_000,
    );
  });
});

/**
 * A ZIP with one more, stored entry: appended after the last local entry, its central directory record after the
 * others, the EOCD counts and offsets moved along (PKWARE APPNOTE 4.3.7, 4.3.12, 4.3.16).
 */
async function withStoredEntry(zip: Buffer, name: string, data: Buffer): Promise<Buffer> {
  const eocd = await readEocd(bufferSource(zip));
  const file = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(10, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(file.length, 28);
  central.writeUInt32LE(eocd.cdOffset, 42);
  const cdOffset = eocd.cdOffset + local.length + file.length + data.length;
  const end = Buffer.from(zip.subarray(eocd.offset));
  end.writeUInt16LE(eocd.entries + 1, 8);
  end.writeUInt16LE(eocd.entries + 1, 10);
  end.writeUInt32LE(eocd.cdSize + central.length + file.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([
    zip.subarray(0, eocd.cdOffset),
    local,
    file,
    data,
    zip.subarray(eocd.cdOffset, eocd.offset),
    central,
    file,
    end,
  ]);
}

/*
 * Speed on a 100 MB APK against a plain SHA-256 of the same file, read the same way (best of three each). Timing on
 * a shared machine is noisy, so it runs on request: PAKAWAAZ_PERF=1.
 */
describe.skipIf(!HAVE_TOOLS || !process.env.PAKAWAAZ_PERF)('performance', () => {
  it('verifies a 100 MB v2+v3 APK at no less than 0.7x the speed of hashing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apk-signing-perf-'));
    try {
      const pem = join(dir, 'ec.pem');
      await run(OPENSSL, [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        pem,
        '-out',
        join(dir, 'ec.crt'),
        '-days',
        '1',
        '-subj',
        '/CN=perf',
      ]);
      await run(OPENSSL, [
        'pkcs8',
        '-topk8',
        '-nocrypt',
        '-in',
        pem,
        '-outform',
        'DER',
        '-out',
        join(dir, 'ec.pk8'),
      ]);
      const unsigned = join(dir, 'big-unsigned.apk');
      await writeFile(
        unsigned,
        await withStoredEntry(await readFile(UNSIGNED), 'assets/big.bin', randomBytes(100 << 20)),
      );
      const apk = join(dir, 'big.apk');
      await run(APKSIGNER, [
        'sign',
        '--key',
        join(dir, 'ec.pk8'),
        '--cert',
        join(dir, 'ec.crt'),
        '--out',
        apk,
        unsigned,
      ]);

      const time = async (task: () => Promise<unknown>): Promise<number> => {
        let best = Infinity;
        for (let i = 0; i < 3; i++) {
          const start = performance.now();
          await task();
          best = Math.min(best, performance.now() - start);
        }
        return best;
      };
      const plain = await time(async () => {
        const source = await fileSource(apk);
        const hash = createHash('sha256');
        for (let pos = 0; pos < source.size; pos += 8 << 20)
          hash.update(await source.read(pos, Math.min(8 << 20, source.size - pos)));
        await source.close();
        return hash.digest();
      });
      const ours = await time(async () => {
        const source = await fileSource(apk);
        const verdict = await verifyApkSignatures(source);
        await source.close();
        expect(verdict.errors).toEqual([]);
      });
      expect(plain / ours).toBeGreaterThanOrEqual(0.7);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
