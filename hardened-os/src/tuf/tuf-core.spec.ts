import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import {
  generateSigningKey,
  localSigner,
  keyIdOf,
  privateKeyPem,
  signingKeyFromPem,
  verifyCanonical,
} from './tuf-keys.js';
import {
  checkKeyIds,
  parseMetadata,
  serializeMetadata,
  signMetadata,
  TufMetadataError,
  verifyRootRotation,
  verifyThreshold,
  type Envelope,
} from './tuf-metadata.js';
import { buildRoot, buildTargets, publishOnline, type RoleKeys } from './tuf-repository.js';

// Upstream golden: python-tuf tests/repository_data/repository/metadata/timestamp.json (commit 65d23fa) and
// the Ed25519 timestamp key of 1.root.json in the same folder. The signature was made by securesystemslib
// over its canonical JSON; verifying it proves our canonical bytes are identical to theirs.
const UPSTREAM_TIMESTAMP_SIGNED = {
  _type: 'Timestamp',
  expires: '2030-01-01T00:00:00Z',
  meta: {
    'snapshot.json': {
      hashes: { sha256: 'b55cf3ef997ca2d2be2ec921cdc8ab278ee77748041f9426dbe4ce1b2c8ba781' },
      length: 636,
      version: 1,
    },
  },
  version: 1,
};
const UPSTREAM_TIMESTAMP_SIG =
  '1749729587ae99bdbaeff59562f1a06cfa3f2b8c31d0b82b8f10fcb4cc5fbf21a0df885e57994bae1b542b814cafaf506d357618515c18d8b5e4b23b90e26506';
const UPSTREAM_TIMESTAMP_KEY = {
  keyid_hash_algorithms: ['sha256', 'sha512'],
  keytype: 'ed25519',
  keyval: { public: '52de9284608be6b718a9d88c7c5d8d9d93b33732e00d670dd4ebe4bce8bbc83c' },
};
const UPSTREAM_TIMESTAMP_KEYID = '3f09f6468a522bea0364a23315872d8400875dfdb24ff4ecd32f27164d5c23c1';

describe('canonical JSON', () => {
  it('matches securesystemslib byte for byte (an upstream signature verifies over our bytes)', () => {
    const key = { keytype: 'ed25519', scheme: 'ed25519', keyval: UPSTREAM_TIMESTAMP_KEY.keyval } as const;
    expect(verifyCanonical(UPSTREAM_TIMESTAMP_SIGNED, key, UPSTREAM_TIMESTAMP_SIG)).toBe(true);
    const altered = { ...UPSTREAM_TIMESTAMP_SIGNED, version: 2 };
    expect(verifyCanonical(altered, key, UPSTREAM_TIMESTAMP_SIG)).toBe(false);
  });

  it('computes the upstream keyid as SHA-256 of the canonical key object', () => {
    expect(keyIdOf(UPSTREAM_TIMESTAMP_KEY)).toBe(UPSTREAM_TIMESTAMP_KEYID);
  });

  it('sorts keys, drops whitespace, escapes only quote and backslash, refuses floats', () => {
    expect(canonicalJson({ b: [1, true, null], a: 'q"\\\né' }).toString('utf8')).toBe(
      '{"a":"q\\"\\\\\né","b":[1,true,null]}',
    );
    expect(() => canonicalJson({ a: 1.5 })).toThrow(/integers/);
  });
});

const now = new Date('2026-06-01T00:00:00Z');
const keys = () => ({
  root: [generateSigningKey(), generateSigningKey(), generateSigningKey()],
  targets: generateSigningKey(),
  snapshot: generateSigningKey(),
  timestamp: generateSigningKey(),
});
const roleKeys = (k: ReturnType<typeof keys>, rootThreshold = 2): RoleKeys => ({
  root: { keys: k.root.map((r) => r.public), threshold: rootThreshold },
  targets: { keys: [k.targets.public], threshold: 1 },
  snapshot: { keys: [k.snapshot.public], threshold: 1 },
  timestamp: { keys: [k.timestamp.public], threshold: 1 },
});

describe('metadata', () => {
  it('signs and verifies a root with a 2-of-3 threshold; one signature is not enough', () => {
    const k = keys();
    const signed = buildRoot({ version: 1, expires: '2027-01-01T00:00:00Z', roles: roleKeys(k) });
    checkKeyIds(signed);
    const two = parseMetadata('root', serializeMetadata(signMetadata<'root'>(signed, k.root.slice(0, 2))));
    expect(() => verifyThreshold(two, two.signed, 'root')).not.toThrow();
    // The same key twice counts once.
    const dup = signMetadata<'root'>(signed, [k.root[0]!, k.root[0]!]);
    expect(() => verifyThreshold(dup, signed, 'root')).toThrow(/1 valid signature/);
    // A key that is not the root's (the targets key) does not count either.
    const wrong = signMetadata<'root'>(signed, [k.root[0]!, k.targets]);
    expect(() => verifyThreshold(wrong, signed, 'root')).toThrow(TufMetadataError);
  });

  it('refuses a root rotation not endorsed by both the old and the new threshold', () => {
    const old = keys();
    const next = keys();
    const root1 = buildRoot({ version: 1, expires: '2027-01-01T00:00:00Z', roles: roleKeys(old) });
    const root2 = buildRoot({ version: 2, expires: '2027-06-01T00:00:00Z', roles: roleKeys(next) });
    const both = signMetadata<'root'>(root2, [...old.root.slice(0, 2), ...next.root.slice(0, 2)]);
    expect(() => verifyRootRotation(root1, both)).not.toThrow();
    const newOnly = signMetadata<'root'>(root2, next.root);
    expect(() => verifyRootRotation(root1, newOnly)).toThrow(/threshold/);
    const oldOnly = signMetadata<'root'>(root2, old.root);
    expect(() => verifyRootRotation(root1, oldOnly)).toThrow(/threshold/);
    const skipped = signMetadata<'root'>({ ...root2, version: 3 }, [...old.root, ...next.root]);
    expect(() => verifyRootRotation(root1, skipped)).toThrow(/version 2/);
  });

  it('refuses malformed, oversized and badly named input with a reason', () => {
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as TufMetadataError).reason;
      }
      return 'accepted';
    };
    expect(reason(() => parseMetadata('timestamp', '{'))).toBe('malformed');
    expect(reason(() => parseMetadata('timestamp', 'x'.repeat(20_000)))).toBe('too_large');
    expect(reason(() => parseMetadata('targets', JSON.stringify({ signatures: [], signed: {} })))).toBe(
      'malformed',
    );
    const t = signMetadata<'targets'>(
      { ...buildTargets({ version: 1, expires: '2027-01-01T00:00:00Z', targets: [] }), targets: {} },
      [generateSigningKey()],
    );
    const bad = JSON.parse(serializeMetadata(t).toString()) as Envelope<'targets'>;
    (bad.signed.targets as Record<string, unknown>)['../etc/passwd'] = {
      length: 1,
      hashes: { sha256: 'a'.repeat(64) },
    };
    expect(reason(() => parseMetadata('targets', JSON.stringify(bad)))).toBe('malformed');
    expect(() =>
      buildTargets({
        version: 1,
        expires: 'x',
        targets: [{ name: 'a/../b', length: 1, sha256: 'a'.repeat(64) }],
      }),
    ).toThrow();
  });

  it('keeps unknown fields so signatures over them still verify', () => {
    const k = generateSigningKey();
    const t = buildTargets({ version: 1, expires: '2027-01-01T00:00:00Z', targets: [] });
    const env = signMetadata<'targets'>({ ...t, x_future: { a: 1 } }, [k]);
    const parsed = parseMetadata('targets', serializeMetadata(env));
    const root = buildRoot({
      version: 1,
      expires: '2027-01-01T00:00:00Z',
      roles: {
        root: { keys: [k.public], threshold: 1 },
        targets: { keys: [k.public], threshold: 1 },
        snapshot: { keys: [k.public], threshold: 1 },
        timestamp: { keys: [k.public], threshold: 1 },
      },
    });
    expect(() => verifyThreshold(parsed, root, 'targets')).not.toThrow();
  });

  it('round-trips a private key through PEM and publishes snapshot/timestamp pinned to the bytes', async () => {
    const k = keys();
    const again = signingKeyFromPem(privateKeyPem(k.timestamp));
    expect(again.keyid).toBe(k.timestamp.keyid);
    const targets = signMetadata<'targets'>(
      buildTargets({
        version: 3,
        expires: '2027-01-01T00:00:00Z',
        targets: [{ name: 'oriole/1.0/full.zip', length: 5, sha256: 'b'.repeat(64) }],
      }),
      [k.targets],
    );
    const out = await publishOnline({
      targets,
      snapshotVersion: 4,
      timestampVersion: 9,
      now,
      snapshotSigners: [localSigner(k.snapshot)],
      timestampSigners: [localSigner(again)],
    });
    expect([...out.files.keys()].sort()).toEqual([
      '3.targets.json',
      '4.snapshot.json',
      'snapshot.json',
      'targets.json',
      'timestamp.json',
    ]);
    expect(out.timestamp.signed.meta['snapshot.json'].length).toBe(out.files.get('4.snapshot.json')!.length);
    expect(out.timestamp.signed.expires).toBe('2026-06-02T00:00:00Z');
  });
});
