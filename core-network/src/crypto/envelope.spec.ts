import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aad, fingerprint, open, seal } from './envelope.js';
import { addActiveKek, createKeyring, dropInactiveKeks, readKeyring } from './keyring.js';

describe('seal/open (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const k = Buffer.from('465b5ce8b199b49faa5f0a2ee238a6bc', 'hex');

  it('round-trips and never contains the plaintext', () => {
    const sealed = seal(key, k, aad.simField('001010000000001', 'k'));
    expect(sealed).toHaveLength(12 + 16 + 16);
    expect(sealed.includes(k)).toBe(false);
    expect(open(key, sealed, aad.simField('001010000000001', 'k'))).toEqual(k);
  });

  it('fails to open with another key, another context (row/field) or a flipped bit', () => {
    const sealed = seal(key, k, aad.simField('001010000000001', 'k'));
    expect(() => open(randomBytes(32), sealed, aad.simField('001010000000001', 'k'))).toThrow();
    expect(() => open(key, sealed, aad.simField('001010000000002', 'k'))).toThrow();
    expect(() => open(key, sealed, aad.simField('001010000000001', 'opc'))).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[20]! ^= 1;
    expect(() => open(key, flipped, aad.simField('001010000000001', 'k'))).toThrow();
  });

  it('uses a fresh IV each time', () => {
    expect(seal(key, k, 'x').equals(seal(key, k, 'x'))).toBe(false);
  });

  it('fingerprints deterministically per MAC key', () => {
    const m = randomBytes(32);
    expect(fingerprint(m, k, k)).toBe(fingerprint(m, k, k));
    expect(fingerprint(m, k, k)).not.toBe(fingerprint(randomBytes(32), k, k));
  });
});

describe('KEK keyring file', () => {
  const fresh = async () => path.join(await mkdtemp(path.join(tmpdir(), 'pkz-kek-')), 'keys', 'kek.json');

  it('is created once with mode 0600 and read back identically', async () => {
    const file = await fresh();
    expect(await readKeyring(file)).toBeUndefined();
    const [a, b] = await Promise.all([createKeyring(file), createKeyring(file)]);
    expect(a.activeId).toBe(b.activeId);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await readKeyring(file);
    expect(again?.key(a.activeId)).toEqual(a.key(a.activeId));
    expect(again?.macKey).toEqual(a.macKey);
  });

  it('rotates: adds an active KEK keeping the old and the MAC key, then drops the old one', async () => {
    const file = await fresh();
    const first = await createKeyring(file);
    const rotating = await addActiveKek(first, new Date('2027-01-01T00:00:00Z'));
    expect(rotating.activeId).not.toBe(first.activeId);
    expect(rotating.ids().sort()).toEqual([first.activeId, rotating.activeId].sort());
    expect(rotating.macKey).toEqual(first.macKey);
    const done = await dropInactiveKeks(rotating);
    expect(done.ids()).toEqual([rotating.activeId]);
    expect((await readKeyring(file))?.ids()).toEqual([rotating.activeId]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('rejects a corrupt file with a message naming it', async () => {
    const file = await fresh();
    await createKeyring(file);
    const content = JSON.parse(await readFile(file, 'utf8')) as { active: string };
    await writeFile(file, JSON.stringify({ ...content, active: 'kek-missing' }));
    await expect(readKeyring(file)).rejects.toThrow(`The KEK file ${file} is not valid`);
  });
});
