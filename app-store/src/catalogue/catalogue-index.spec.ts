import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from './canonical-json.js';
import {
  MAX_VERSIONS_PER_APP,
  apkLogLeaf,
  applyIndexDiff,
  encodeIndex,
  parseIndex,
  type CatalogueIndex,
  type CatalogueVersion,
} from './catalogue-index.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const v = (code: number): CatalogueVersion => ({
  versionCode: code,
  versionName: `1.${code}`,
  apkSha256: sha(`apk ${code}`),
  size: 4096,
  signers: [sha('cert')],
  minSdk: 29,
  permissions: [],
  track: 'stable',
  mandatory: false,
  log: { leafIndex: code, treeSize: code + 1, proof: [] },
});

const index = (versions: CatalogueVersion[]): CatalogueIndex => ({
  format: 1,
  institution: 'inst',
  timestamp: 1,
  logOrigin: 'log.example',
  checkpoints: {},
  apps: {
    'org.example.app': { name: 'App', versions: Object.fromEntries(versions.map((x) => [x.apkSha256, x])) },
  },
});

describe('the APK log leaf', () => {
  it('is the canonical JSON of package, version code, APK hash and sorted signer digests', () => {
    const leaf = apkLogLeaf('org.example.app', {
      versionCode: 3,
      apkSha256: 'ab'.repeat(32),
      signers: ['ff', '00'],
    });
    expect(leaf.toString()).toBe(
      `{"apkSha256":"${'ab'.repeat(32)}","package":"org.example.app","signers":["00","ff"],"type":"pakawaaz-apk/1","versionCode":3}`,
    );
  });
});

describe('parseIndex', () => {
  it('round-trips what encodeIndex writes', () => {
    const bytes = encodeIndex(index([v(1), v(2)]));
    expect(parseIndex(bytes)).toEqual(index([v(1), v(2)]));
  });

  it('refuses versions keyed by another hash, bad package names and unknown members', () => {
    const wrongKey = index([v(1)]);
    wrongKey.apps['org.example.app']!.versions = { [sha('other')]: v(1) };
    expect(() => parseIndex(canonicalBytes(wrongKey))).toThrow(
      expect.objectContaining({ code: 'catalogue_index_invalid' }),
    );
    for (const name of ['app', '1x.y', 'org..x', 'org.example.app ']) {
      const bad = { ...index([v(1)]), apps: { [name]: index([v(1)]).apps['org.example.app']! } };
      expect(() => parseIndex(canonicalBytes(bad)), name).toThrow(
        expect.objectContaining({ code: 'catalogue_index_invalid' }),
      );
    }
    // zod's records would drop it silently; the parser refuses it outright.
    const proto = encodeIndex(index([v(1)]))
      .toString()
      .replace('"org.example.app"', '"__proto__"');
    expect(() => parseIndex(Buffer.from(proto))).toThrow(
      expect.objectContaining({ code: 'catalogue_json_invalid' }),
    );
    const extra = { ...index([v(1)]), debug: true };
    expect(() => parseIndex(canonicalBytes(extra))).toThrow(
      expect.objectContaining({ code: 'catalogue_index_invalid' }),
    );
    const longProof = index([
      {
        ...v(1),
        log: {
          leafIndex: 0,
          treeSize: 1,
          proof: Array.from({ length: 65 }, () => Buffer.alloc(32).toString('base64')),
        },
      },
    ]);
    expect(() => parseIndex(canonicalBytes(longProof))).toThrow(
      expect.objectContaining({ code: 'catalogue_index_invalid' }),
    );
  });

  it('refuses too many versions of one app, oversized or non-JSON bytes', () => {
    const many = index(Array.from({ length: MAX_VERSIONS_PER_APP + 1 }, (_, i) => v(i)));
    expect(() => parseIndex(canonicalBytes(many))).toThrow(
      expect.objectContaining({ code: 'catalogue_too_large' }),
    );
    expect(() => parseIndex(Buffer.from('{"format":1'))).toThrow(
      expect.objectContaining({ code: 'catalogue_json_invalid' }),
    );
    expect(() => parseIndex(Buffer.from([0xff, 0xfe]))).toThrow(
      expect.objectContaining({ code: 'catalogue_json_invalid' }),
    );
    expect(() => parseIndex(Buffer.alloc(16 * 1024 * 1024 + 1, 0x20))).toThrow(
      expect.objectContaining({ code: 'catalogue_too_large' }),
    );
    expect(() => parseIndex(Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)))).toThrow(
      expect.objectContaining({ code: 'catalogue_json_invalid' }),
    );
  });

  it('refuses a diff that would leave an invalid index', () => {
    const before = encodeIndex(index([v(1)]));
    expect(() => applyIndexDiff(before, canonicalBytes({ format: 2 }))).toThrow(
      expect.objectContaining({ code: 'catalogue_diff_invalid' }),
    );
    expect(() => applyIndexDiff(before, Buffer.from('{ "format": 1 }'))).toThrow(
      expect.objectContaining({ code: 'catalogue_not_canonical' }),
    );
  });
});
