import { describe, expect, it } from 'vitest';
import { GOOGLE_ATTESTATION_ROOTS } from './google-roots.js';
import { deadline } from './limits.js';
import { patchMonth } from './policy.js';
import { googleAttestationRoots, parseRevocationList, sha256Hex } from './trust.js';
import { pemBundle } from './pem.js';

describe("Google's built-in root", () => {
  it('is the RSA root key of the real device chains, pinned by its certificate hash', () => {
    const [root] = googleAttestationRoots();
    // SHA-256 of its SubjectPublicKeyInfo, from `openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha256sum`
    // on the 2016 root that ends ec-tee.chain.pem: the same key.
    expect(root!.spkiSha256).toBe('feb2ea7551ee316ed4bb443c8293b884dbfdea40b603ee3e4f4a897e4580fbae');
    expect(sha256Hex(pemBundle(GOOGLE_ATTESTATION_ROOTS[0].pem)[0]!)).toBe(
      GOOGLE_ATTESTATION_ROOTS[0].sha256,
    );
  });
});

describe('revocation status list (Google attestation/status format)', () => {
  it('keys entries by serial as lower-case hex without leading zeros', () => {
    const list = parseRevocationList({
      entries: {
        '00C0FFEE': { status: 'SUSPENDED', reason: 'KEY_COMPROMISE', comment: 'x' },
        '1': { status: 'REVOKED' },
      },
    });
    expect(list.size).toBe(2);
    expect(list.get('c0ffee')).toStrictEqual({ status: 'SUSPENDED', reason: 'KEY_COMPROMISE' });
    expect(list.get('1')).toStrictEqual({ status: 'REVOKED', reason: null });
  });

  it.each([
    [[], 'no "entries" object'],
    [{ entries: [] }, 'no "entries" object'],
    [{ entries: { xyz: { status: 'REVOKED' } } }, 'not a hex serial'],
    [{ entries: { ab: { status: 'VALID' } } }, 'REVOKED or SUSPENDED'],
  ])('refuses %j whole', (json, message) => {
    expect(() => parseRevocationList(json)).toThrow(message);
  });
});

describe('limits', () => {
  it('the time budget throws once spent', () => {
    let t = 0;
    const clock = deadline(100, () => t);
    t = 100;
    expect(() => clock.check('parsing')).not.toThrow();
    t = 101;
    expect(() => clock.check('parsing')).toThrow(/longer than 100 ms \(at parsing\)/);
  });

  it('patch levels compare by month', () => {
    expect(patchMonth(20250605)).toBe(202506);
    expect(patchMonth(202506)).toBe(202506);
  });
});
