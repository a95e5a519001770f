import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';

const tmp = () => mkdtemp(path.join(tmpdir(), 'pkz-lock-'));

describe('lockDataDir', () => {
  it('refuses a second holder while the first is alive, and frees the lock on release', async () => {
    const file = path.join(await tmp(), 'db.lock');
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await lockDataDir(file, sleeper.pid);
      await expect(lockDataDir(file)).rejects.toBeInstanceOf(DataDirLockedError);
      await expect(lockDataDir(file)).rejects.toThrow(`in use by process ${sleeper.pid}`);
    } finally {
      const exited = new Promise((r) => sleeper.once('exit', r));
      sleeper.kill();
      await exited;
    }
    const release = await lockDataDir(file);
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    await release();
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a lock left by a dead process', async () => {
    const file = path.join(await tmp(), 'db.lock');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    await writeFile(file, `${dead.pid}\n`);
    const release = await lockDataDir(file);
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    await release();
  });
});
