import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../byte-source.js';
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

/** `apksigner lineage --print-certs`: the lineage certificates, oldest first. */
async function apksignerLineage(apk: string): Promise<string[]> {
  const { stdout } = await run(APKSIGNER, ['lineage', '--in', apk, '--print-certs']);
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
