import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { verifyPassword } from '../passwords/password-hasher.js';
import type { UserRow } from '../users/users.repository.js';

export const INITIAL_PASSWORD_FILE = 'initial-admin-password';
/** The first NOC administrator, created at the first start. */
export const FIRST_ADMIN_USERNAME = 'admin';

/**
 * `<data dir>/initial-admin-password`: the generated first password, for a newcomer who missed the console.
 * It lives only until that password stops working: the first administrator's change removes it (and so does
 * a start-up that finds it no longer matches), and the log says so.
 */
@Injectable()
export class InitialPasswordFile {
  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get path(): string {
    return path.join(this.config.dataDir, INITIAL_PASSWORD_FILE);
  }

  async write(password: string): Promise<string> {
    await mkdir(this.config.dataDir, { recursive: true, mode: 0o700 });
    // A left-over file (e.g. the database was reset, the folder kept) may be world-readable: replace it, never
    // reuse its mode; `wx` creates a new file with 0600 or fails.
    await rm(this.path, { force: true });
    await writeFile(this.path, `${password}\n`, { mode: 0o600, flag: 'wx' });
    return this.path;
  }

  async read(): Promise<string | null> {
    return readFile(this.path, 'utf8').then(
      (s) => s.trim(),
      () => null,
    );
  }

  /** After a password change: the first administrator's retires the file (the password in it is dead). */
  async afterPasswordChange(user: Pick<UserRow, 'passwordHash' | 'username'>): Promise<void> {
    if (user.username !== FIRST_ADMIN_USERNAME) return;
    try {
      await this.retireIfStale(user);
    } catch (err) {
      // The change itself stands; the next start tries again.
      this.logger.warn({ err, file: this.path }, `Could not remove ${this.path}: delete it by hand`);
    }
  }

  /** Removes the file if what it holds is no longer `user`'s password (it was changed); true if it did. */
  async retireIfStale(user: Pick<UserRow, 'passwordHash' | 'username'>): Promise<boolean> {
    const password = await this.read();
    if (password === null) return false;
    if (password && (await verifyPassword(user.passwordHash ?? undefined, password))) return false;
    await rm(this.path, { force: true });
    this.logger.info(
      { file: this.path, username: user.username },
      `The first administrator's password was changed: removed ${this.path}`,
    );
    return true;
  }
}
