import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db, type DatabaseHandle } from '../../src/db/database.js';
import { rowsOf } from '../../src/db/migrate.js';
import {
  placeContent,
  removeOrphanContent,
  removeUnreferencedContent,
} from '../../src/files/content-guard.js';
import { ContentStore } from '../../src/files/content-store.js';
import { platformDomain } from '../../src/platform.domain.js';
import { createTestDatabase, lockWaitOr, testLogger, type TestDatabase } from '@pakawaaz/test-support';

/*
 * The digest lock between the transaction that moves a file into place and records its row, and the removal
 * of a file no row refers to — on PostgreSQL (two connections: the removal waits for the lock) and on the
 * embedded PGlite (one transaction at a time: the removal waits for the connection, and the lock is taken).
 */
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const referenced = async (tx: Db, sha256: string) =>
  rowsOf(await tx.execute(sql`select 1 from content_refs where sha256 = ${sha256}`)).length > 0;

for (const mode of ['postgresql', 'embedded'] as const) {
  describe(`content files and the rows that refer to them (${mode})`, () => {
    let testDb: TestDatabase | undefined;
    let handle: DatabaseHandle;
    let dir: string;
    let store: ContentStore;

    beforeAll(async () => {
      if (mode === 'postgresql') {
        testDb = await createTestDatabase([platformDomain]);
        handle = testDb.handle;
      } else handle = await openDatabase({ dataDir: 'memory://', logger: testLogger });
      await handle.db.execute(sql`create table content_refs (sha256 text not null)`);
      dir = await mkdtemp(path.join(tmpdir(), 'pkz-content-guard-'));
      store = new ContentStore({ dir, suffix: '.bin', noun: 'test file' });
    });
    afterAll(async () => {
      if (testDb) await testDb.drop();
      else await handle?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('never removes a file whose row is about to commit; removes it once nothing refers to it', async () => {
      const text = `same bytes ${mode}`;
      const received = await store.receive(Readable.from([Buffer.from(text)]), { maxBytes: 100 });
      let entered!: () => void;
      const inTransaction = new Promise<void>((resolve) => (entered = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const recording = handle.db.transaction(async (tx) => {
        await placeContent(tx, store, received);
        await tx.execute(sql`insert into content_refs values (${received.sha256})`);
        entered();
        await gate;
      });
      await inTransaction;
      let settled = false;
      const removal = removeUnreferencedContent(handle.db, store, received.sha256, referenced).finally(
        () => (settled = true),
      );
      if (mode === 'postgresql') await lockWaitOr(handle, () => settled);
      else await new Promise((r) => setTimeout(r, 50));
      expect(settled).toBe(false);
      release();
      await recording;
      expect(await removal).toBe(false);
      expect(await store.exists(sha(text))).toBe(true);
      await handle.db.execute(sql`delete from content_refs where sha256 = ${received.sha256}`);
      expect(await removeUnreferencedContent(handle.db, store, received.sha256, referenced)).toBe(true);
      expect(await store.exists(sha(text))).toBe(false);
    });

    it('sweeps old files no row refers to, and nothing else', async () => {
      const old = new Date(Date.now() - 3_600_000);
      const put = async (text: string, age?: Date) => {
        const file = store.fileOf(sha(text));
        await writeFile(file, text);
        if (age) await utimes(file, age, age);
        return sha(text);
      };
      const orphan = await put('orphan', old);
      const kept = await put('kept', old);
      await handle.db.execute(sql`insert into content_refs values (${kept})`);
      const fresh = await put('fresh');
      await writeFile(path.join(dir, `${'f'.repeat(64)}.other`), 'another suffix');
      expect(await removeOrphanContent(handle.db, store, referenced, { idleMs: 600_000 })).toBe(1);
      expect([await store.exists(orphan), await store.exists(kept), await store.exists(fresh)]).toEqual([
        false,
        true,
        true,
      ]);
    });
  });
}
