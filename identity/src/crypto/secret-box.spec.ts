import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, FileKeyBackend, KeyError, KeyService } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { IDENTITY_SECRETS_KEY, secretBoxOver, SecretBoxError, type SecretBox } from './secret-box.js';

const logger = createLogger({ level: 'silent' });

async function boxAt(file: string, inUse = false): Promise<SecretBox> {
  const set = await new KeyService(new FileKeyBackend(), logger).useKeySet({
    name: IDENTITY_SECRETS_KEY,
    file,
    protects: 'TOTP seeds and RADIUS client secrets',
    inUse: () => Promise.resolve(inUse),
  });
  return secretBoxOver(set);
}

const tmpFile = async () =>
  path.join(await mkdtemp(path.join(tmpdir(), 'secret-box-')), 'keys', 'identity-secrets.key');

describe('secret box', () => {
  it('round-trips and never shows the plaintext in the sealed form', async () => {
    const box = await boxAt(await tmpFile());
    const sealed = await box.seal('totp-seed', Buffer.from('JBSWY3DPEHPK3PXP'));
    expect(sealed).toMatch(/^s1\.[A-Za-z0-9_-]+$/);
    expect(Buffer.from(sealed.slice(3), 'base64url').includes(Buffer.from('JBSWY3DPEHPK3PXP'))).toBe(false);
    expect((await box.open('totp-seed', sealed)).toString()).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses another purpose, another key, a flipped bit and garbage', async () => {
    const box = await boxAt(await tmpFile());
    const sealed = await box.seal('radius-secret', Buffer.from('testing123'));
    await expect(box.open('totp-seed', sealed)).rejects.toThrow(SecretBoxError);
    await expect((await boxAt(await tmpFile())).open('radius-secret', sealed)).rejects.toThrow(
      SecretBoxError,
    );
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 20]! ^= 1;
    await expect(box.open('radius-secret', `s1.${bytes.toString('base64url')}`)).rejects.toThrow(
      SecretBoxError,
    );
    for (const junk of ['', 'v1', 'v1..', 'v2.a.b', 'v1.a.b.c', 'v1.AAAA.AA', 's1.', 's1.AAAA'])
      await expect(box.open('radius-secret', junk)).rejects.toThrow(SecretBoxError);
  });

  it('creates the key file once with mode 0600 in a 0700 folder and loads the same key again', async () => {
    const file = await tmpFile();
    const sealed = await (await boxAt(file)).seal('totp-seed', Buffer.from('seed'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await (await boxAt(file)).open('totp-seed', sealed)).toString()).toBe('seed');
  });

  it('refuses to create a key while sealed secrets exist (the file was lost): restore it', async () => {
    const file = await tmpFile();
    const err = await boxAt(file, true).catch((e: unknown) => e as KeyError);
    expect(err).toBeInstanceOf(KeyError);
    expect((err as KeyError).message).toContain(
      `The key ${file} is missing, but the database holds TOTP seeds`,
    );
    expect((err as KeyError).message).toContain('Restore it from your key backup');
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a damaged key file without quoting it', async () => {
    const file = await tmpFile();
    await boxAt(file);
    await writeFile(file, 'c2VjcmV0LWtleS1tYXRlcmlhbA==\n', { mode: 0o600 });
    const err = await boxAt(file).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(KeyError);
    expect((err as Error).message).toContain('neither a key-set JSON file nor base64 of 32 bytes');
    expect((err as Error).message).not.toContain((await readFile(file, 'utf8')).trim());
  });
});

describe('secret box: values sealed by release 0.1', () => {
  // Fixture bytes made by release 0.1's identity/src/crypto/secret-box.ts (createSecretBox) with the key
  // 0x55 × 32 and the IV 0x66 × 12; the key file held the key as one line of base64.
  const legacyKeyFile = `${Buffer.alloc(32, 0x55).toString('base64')}\n`;
  const totp = 'v1.ZmZmZmZmZmZmZmZm.df_tBSwvbRmFIUBOlPimMpjvZr7bDZTnf0hJAjXDCrU';
  const radius = 'v1.ZmZmZmZmZmZmZmZm.S9jNJhxyTnjyWqWm2Jf0AOnYZDYEgjy4EPc';

  it('keep opening with the release-0.1 key file, for their purpose only', async () => {
    const file = await tmpFile();
    await (await import('node:fs/promises')).mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, legacyKeyFile, { mode: 0o600 });
    const box = await boxAt(file, true);
    expect((await box.open('totp-seed', totp)).toString()).toBe('JBSWY3DPEHPK3PXP');
    expect((await box.open('radius-secret', radius)).toString()).toBe('testing123');
    await expect(box.open('radius-secret', totp)).rejects.toThrow(SecretBoxError);
    // New values are sealed in the envelope format under the same key, and open beside the old ones.
    const fresh = await box.seal('totp-seed', Buffer.from('NEWSEED'));
    expect(fresh.startsWith('s1.')).toBe(true);
    expect((await box.open('totp-seed', fresh)).toString()).toBe('NEWSEED');
    expect(await readFile(file, 'utf8')).toBe(legacyKeyFile);
  });
});
