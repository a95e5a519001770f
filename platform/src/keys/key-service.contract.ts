import { compactVerify, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { KeyError } from './key-backend.js';
import { signCompactJws } from './jws.js';
import type { KeyService } from './key.service.js';
import { SealedDataError } from '@pakawaaz/envelope';

let n = 0;
/** A key ref unique to one test (the file backend's file lives in `dir`). */
export const keyRef = (dir: string, prefix = 'k') => {
  const name = `${prefix}-${process.pid}-${++n}`;
  return { name, file: `${dir}/${name}.json` };
};

/**
 * The behaviour every key backend must show through the key service: the same suite runs on files and on a
 * PKCS#11 token (softhsm2).
 */
export function keyServiceContract(
  label: string,
  setup: () => { keys: () => KeyService; dir: () => string },
) {
  describe(`key service contract (${label})`, () => {
    const ctx = setup();
    const unused = () => Promise.resolve(false);

    it('seals and opens; the ciphertext names its key version and never holds the plaintext', async () => {
      const set = await ctx.keys().useKeySet({ ...keyRef(ctx.dir()), protects: 'test data', inUse: unused });
      const secret = Buffer.from('465b5ce8b199b49faa5f0a2ee238a6bc', 'hex');
      const sealed = await set.seal(secret, 'sim:001010000000001:k');
      expect(sealed[0]).toBe(1);
      expect(set.versionOf(sealed)).toBe((await set.state()).active);
      expect(sealed.includes(secret)).toBe(false);
      expect(await set.open(sealed, 'sim:001010000000001:k')).toEqual(secret);
      expect((await set.seal(secret, 'x')).equals(await set.seal(secret, 'x'))).toBe(false);
    });

    it('refuses another context (AAD), another key and a flipped bit', async () => {
      const a = await ctx.keys().useKeySet({ ...keyRef(ctx.dir()), protects: 'test data', inUse: unused });
      const b = await ctx.keys().useKeySet({ ...keyRef(ctx.dir()), protects: 'test data', inUse: unused });
      const sealed = await a.seal(Buffer.from('secret'), 'row:1');
      await expect(a.open(sealed, 'row:2')).rejects.toThrow(SealedDataError);
      await expect(b.open(sealed, 'row:1')).rejects.toBeInstanceOf(Error);
      const flipped = Buffer.from(sealed);
      flipped[flipped.length - 1]! ^= 1;
      await expect(a.open(flipped, 'row:1')).rejects.toThrow(SealedDataError);
      await expect(a.open(Buffer.from('not sealed'), 'row:1')).rejects.toThrow(SealedDataError);
    });

    it('rotates: a new active version, old data still opens until the old version is dropped', async () => {
      const ref = keyRef(ctx.dir());
      const set = await ctx.keys().useKeySet({ ...ref, protects: 'test data', inUse: unused });
      const first = (await set.state()).active;
      const old = await set.seal(Buffer.from('before'), 'c');
      const mac = await set.mac(Buffer.from('k'), Buffer.from('opc'));
      const rotating = await set.addVersion();
      expect(rotating.active).not.toBe(first);
      expect([...rotating.versions].sort()).toEqual([first, rotating.active].sort());
      const fresh = await set.seal(Buffer.from('after'), 'c');
      expect(set.versionOf(fresh)).toBe(rotating.active);
      expect((await set.open(old, 'c')).toString()).toBe('before');
      // Another node (its own key service) sees the rotation once it looks again.
      const other = await ctx.keys().useKeySet({ ...ref, protects: 'test data', inUse: unused });
      expect((await other.state(true)).active).toBe(rotating.active);
      const done = await set.dropInactive();
      expect(done.versions).toEqual([rotating.active]);
      expect((await set.open(fresh, 'c')).toString()).toBe('after');
      await expect(set.open(old, 'c')).rejects.toThrow(KeyError);
      // The MAC key is not rotated: stored fingerprints keep matching.
      expect(await set.mac(Buffer.from('k'), Buffer.from('opc'))).toEqual(mac);
    });

    it('computes a keyed MAC per key set (deterministic, different keys differ)', async () => {
      const a = await ctx.keys().useKeySet({ ...keyRef(ctx.dir()), protects: 'test data', inUse: unused });
      const b = await ctx.keys().useKeySet({ ...keyRef(ctx.dir()), protects: 'test data', inUse: unused });
      const m = await a.mac(Buffer.from('a'), Buffer.from('b'));
      expect(m).toHaveLength(32);
      expect(await a.mac(Buffer.from('ab'))).toEqual(m);
      expect(await b.mac(Buffer.from('a'), Buffer.from('b'))).not.toEqual(m);
    });

    it('refuses to create a key that sealed data depends on, naming where it should be', async () => {
      const ref = keyRef(ctx.dir());
      const err = await ctx
        .keys()
        .useKeySet({ ...ref, protects: 'SIM secrets', inUse: () => Promise.resolve(true) })
        .catch((e: unknown) => e as KeyError);
      expect(err).toBeInstanceOf(KeyError);
      expect((err as KeyError).code).toBe('key_missing');
      expect((err as KeyError).message).toContain(
        `${ctx.keys().backend.where(ref)} is missing, but the database holds SIM secrets`,
      );
      expect(await ctx.keys().backend.keySet(ref, true)).toBeUndefined();
    });

    for (const alg of ['ES256', 'EdDSA'] as const)
      it(`signs ${alg}: jose verifies with the exported public JWK; the same key loads again`, async () => {
        const ref = keyRef(ctx.dir());
        const signer = await ctx.keys().useSigner({ ...ref, alg });
        expect(signer.publicJwk).toMatchObject({ alg, use: 'sig', kid: signer.kid });
        expect(signer.publicJwk).not.toHaveProperty('d');
        const jwt = await signCompactJws(
          signer,
          { kid: signer.kid, typ: 'JWT' },
          { sub: 'admin', iss: 'pakawaaz' },
        );
        const publicKey = await importJWK(signer.publicJwk, alg);
        const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, { algorithms: [alg] });
        expect(payload).toEqual({ sub: 'admin', iss: 'pakawaaz' });
        expect(protectedHeader).toEqual({ alg, kid: signer.kid, typ: 'JWT' });
        const again = await ctx.keys().useSigner({ ...ref, alg });
        expect(again.kid).toBe(signer.kid);
        const jws = await signCompactJws(again, {}, { n: 1 });
        await expect(compactVerify(jws, publicKey)).resolves.toMatchObject({ protectedHeader: { alg } });
        const tampered = `${jws.slice(0, -4)}${jws.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
        await expect(compactVerify(tampered, publicKey)).rejects.toThrow();
      });
  });
}
