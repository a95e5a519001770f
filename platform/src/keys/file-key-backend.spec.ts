import { mkdtempSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyRef, keyServiceContract } from './key-service.contract.js';
import { createLogger } from '../logging/logger.js';
import { FileKeyBackend } from './file-key-backend.js';
import { KeyError } from './key-backend.js';
import { KeyService } from './key.service.js';

const logger = createLogger({ level: 'silent' });
const service = () => new KeyService(new FileKeyBackend(), logger);
const tmp = () => mkdtemp(path.join(tmpdir(), 'pkz-keys-'));
const unused = () => Promise.resolve(false);

const contractDir = mkdtempSync(path.join(tmpdir(), 'pkz-keys-'));
// Each call is a fresh service: another node, or a restart, reading the same files.
keyServiceContract('files', () => ({ keys: service, dir: () => contractDir }));

describe('file backend', () => {
  it('creates key files 0600 in a 0700 folder, and racing creators end up with one key', async () => {
    const ref = keyRef(path.join(await tmp(), 'keys'));
    const sets = await Promise.all(
      Array.from({ length: 4 }, () => service().useKeySet({ ...ref, protects: 'x', inUse: unused })),
    );
    const actives = await Promise.all(sets.map(async (s) => (await s.state()).active));
    expect(new Set(actives).size).toBe(1);
    const sealed = await sets[0]!.seal(Buffer.from('one key'), 'c');
    expect((await sets[3]!.open(sealed, 'c')).toString()).toBe('one key');
    expect((await stat(ref.file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(ref.file))).mode & 0o777).toBe(0o700);
    expect((await readdir(path.dirname(ref.file))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a key file that group or others may read, saying to chmod 600', async () => {
    const ref = keyRef(await tmp());
    await service().useKeySet({ ...ref, protects: 'x', inUse: unused });
    await chmod(ref.file, 0o640);
    const err = await service()
      .useKeySet({ ...ref, protects: 'x', inUse: unused })
      .catch((e: unknown) => e as KeyError);
    expect(err).toBeInstanceOf(KeyError);
    expect((err as KeyError).code).toBe('key_permissions');
    expect((err as KeyError).message).toContain(`chmod 600 ${ref.file}`);
  });

  it('never quotes a damaged file in its error (a JSON syntax error would)', async () => {
    const ref = keyRef(await tmp());
    const text = '{"version":1,"active":"v1","keys":{"v1":"SECRETSECRETSECRET';
    await writeFile(ref.file, text, { mode: 0o600 });
    const err = await service()
      .useKeySet({ ...ref, protects: 'x', inUse: unused })
      .catch((e: unknown) => e as KeyError);
    expect((err as KeyError).code).toBe('key_invalid');
    expect((err as KeyError).message).toContain(ref.file);
    expect((err as KeyError).message).not.toContain('SECRET');
    expect(await readFile(ref.file, 'utf8')).toBe(text);
  });

  it('rotation replaces the file atomically and keeps mode 0600', async () => {
    const ref = keyRef(await tmp());
    const set = await service().useKeySet({ ...ref, protects: 'x', inUse: unused });
    await set.addVersion();
    await set.dropInactive();
    expect((await stat(ref.file)).mode & 0o777).toBe(0o600);
    const content = JSON.parse(await readFile(ref.file, 'utf8')) as { active: string; keys: object };
    expect(Object.keys(content.keys)).toEqual([content.active]);
  });

  it('loads a release-0.1 KEK file as it is (same fields; its KEK and MAC key keep working)', async () => {
    const d = await tmp();
    const file = path.join(d, 'kek.json');
    // The shape release 0.1's core-network/src/crypto/keyring.ts wrote.
    const legacy = {
      version: 1,
      active: 'kek-2026-01-15-0a1b2c3d',
      keys: { 'kek-2026-01-15-0a1b2c3d': Buffer.alloc(32, 0x11).toString('base64') },
      macKey: Buffer.alloc(32, 0x77).toString('base64'),
    };
    await mkdir(d, { recursive: true });
    await writeFile(file, JSON.stringify(legacy, null, 2), { mode: 0o600 });
    const set = await service().useKeySet({
      name: 'sim-kek',
      file,
      protects: 'x',
      inUse: () => Promise.resolve(true),
    });
    expect(await set.state()).toEqual({
      active: 'kek-2026-01-15-0a1b2c3d',
      versions: ['kek-2026-01-15-0a1b2c3d'],
      hasMac: true,
    });
    // HMAC-SHA-256 of "k" ‖ "opc" under 0x77 × 32, computed independently with `openssl dgst -sha256 -mac HMAC`.
    expect((await set.mac(Buffer.from('k'), Buffer.from('opc'))).toString('hex')).toBe(
      '23a55e3da285f0ca17dd9bd17cc3d59209e82765bbbffa347c8fb14f3fab0109',
    );
  });
});
