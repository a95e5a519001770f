import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadOrCreateSecretBoxKey, SecretBoxError } from './secret-box.js';

const key = Buffer.alloc(32, 7);

describe('secret box', () => {
  it('round-trips and never shows the plaintext in the sealed form', () => {
    const box = createSecretBox(key);
    const sealed = box.seal('totp-seed', Buffer.from('JBSWY3DPEHPK3PXP'));
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open('totp-seed', sealed).toString()).toBe('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh IV each time', () => {
    const box = createSecretBox(key);
    expect(box.seal('radius-secret', Buffer.from('s'))).not.toBe(box.seal('radius-secret', Buffer.from('s')));
  });

  it('refuses another purpose, another key, a flipped bit and garbage', () => {
    const box = createSecretBox(key);
    const sealed = box.seal('radius-secret', Buffer.from('testing123'));
    expect(() => box.open('totp-seed', sealed)).toThrow(SecretBoxError);
    expect(() => createSecretBox(Buffer.alloc(32, 8)).open('radius-secret', sealed)).toThrow(SecretBoxError);
    const [v, iv, data] = sealed.split('.') as [string, string, string];
    const bytes = Buffer.from(data, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() => box.open('radius-secret', [v, iv, bytes.toString('base64url')].join('.'))).toThrow(
      SecretBoxError,
    );
    for (const junk of ['', 'v1', 'v1..', 'v2.a.b', 'v1.a.b.c', 'v1.AAAA.AA'])
      expect(() => box.open('radius-secret', junk)).toThrow(SecretBoxError);
  });

  it('creates the key file once with mode 0600 and loads the same key again', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'secret-box-'));
    const file = path.join(dir, 'keys', 'identity-secrets.key');
    const first = await loadOrCreateSecretBoxKey(file);
    expect(first).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSecretBoxKey(file)).toEqual(first);
  });

  it('refuses a damaged key file without quoting it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'secret-box-'));
    const file = path.join(dir, 'k');
    await writeFile(file, 'c2VjcmV0LWtleS1tYXRlcmlhbA==\n');
    const err = await loadOrCreateSecretBoxKey(file).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('not base64 of 32 bytes');
    expect((err as Error).message).not.toContain(await readFile(file, 'utf8').then((t) => t.trim()));
  });
});
