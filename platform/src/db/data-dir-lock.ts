import { readFile, unlink, writeFile } from 'node:fs/promises';

/** Raised when another live process holds the embedded database. */
export class DataDirLockedError extends Error {
  constructor(
    readonly file: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database is in use by process ${pid} (a running Pakawaaz server?). PGlite is single-process: ` +
        'stop that process first, or use the HTTP API (pakawaaz CLI) or a PostgreSQL DATABASE_URL.',
    );
    this.name = 'DataDirLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive pid lock file. A lock left by a dead process (crash, kill -9) is taken over, so a
 * crash never needs manual clean-up. Returns the release function.
 */
export async function lockDataDir(file: string, pid = process.pid): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${pid}\n`, { flag: 'wx', mode: 0o600 });
      return async () => {
        if ((await readFile(file, 'utf8').catch(() => '')).trim() === String(pid))
          await unlink(file).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== pid && alive(holder))
        throw new DataDirLockedError(file, holder);
      await unlink(file).catch(() => undefined);
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
