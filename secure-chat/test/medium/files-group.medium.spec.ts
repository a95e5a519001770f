import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditService, platformDomain, sql } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { DiskBlobStore } from '../../src/files/disk-blob-store.js';
import { FilesRepository } from '../../src/files/files.repository.js';
import { FilesService, type Uploader } from '../../src/files/files.service.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import { FILES_TEST_CONFIG } from '../support/files-config.js';

/*
 * A file's groupId is its uploader's claim: checked against the group's current members when the upload is
 * created (the real service, repository and delivery service's member list, on the environment's database).
 * A group the uploader is not in is answered as the group routes answer it, and nothing is reserved or stored.
 */

const INST_A = randomUUID();
const INST_B = randomUUID();
const amina = { userId: randomUUID(), phone: randomUUID(), laptop: randomUUID() };
const bilal = { userId: randomUUID(), phone: randomUUID() };
const omar = { userId: randomUUID(), phone: randomUUID() };
const GROUP = randomBytes(16).toString('base64url');
const LEFT = randomBytes(16).toString('base64url');

const device = (o: { userId: string }, deviceId: string, institutionId = INST_A): Uploader => ({
  userId: o.userId,
  institutionId,
  deviceId,
});
const token = (o: { userId: string }, institutionId = INST_A): Uploader => ({
  userId: o.userId,
  institutionId,
  deviceId: null,
});

let db: TestDatabase;
let dir: string;
let files: FilesService;
let delivery: DeliveryRepository;

const input = (groupId?: string) => ({ sizeBytes: 1000, sha256: 'a'.repeat(64), groupId });

/** What a refused creation must not leave: rows, reserved bytes, stored blobs. */
async function stored(): Promise<{ rows: unknown; used: unknown; blobs: string[] }> {
  const rows = await db.handle.db.execute(
    sql`select count(*)::int as n from secure_chat.chat_files where state <> 'deleted'`,
  );
  const used = await db.handle.db.execute(
    sql`select institution_id, used_bytes from secure_chat.chat_file_usage order by institution_id`,
  );
  const rowsOf = (r: unknown) => (r as { rows: unknown[] }).rows;
  return { rows: rowsOf(rows), used: rowsOf(used), blobs: (await readdir(dir, { recursive: true })).sort() };
}

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, secureChatDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-chat-files-group-'));
  const config = { ...FILES_TEST_CONFIG, dir };
  delivery = new DeliveryRepository(db.handle);
  const repo = new FilesRepository(db.handle);
  files = new FilesService(repo, new DiskBlobStore(dir), config, new AuditService(db.handle), delivery);
  // GROUP: Amina's phone and Omar's (of another institution); LEFT: Amina's laptop was dropped from it.
  await delivery.db.transaction(async (tx) => {
    for (const groupId of [GROUP, LEFT])
      await delivery.insertGroup(
        { groupId, epoch: 0n, groupInfo: Buffer.from('gi'), createdBy: amina.phone },
        tx,
      );
    await delivery.replaceMembers(
      GROUP,
      [
        { leafIndex: 0, deviceId: amina.phone, userId: amina.userId, institutionId: INST_A },
        { leafIndex: 1, deviceId: omar.phone, userId: omar.userId, institutionId: INST_B },
      ],
      tx,
    );
    await delivery.replaceMembers(
      LEFT,
      [{ leafIndex: 0, deviceId: amina.laptop, userId: amina.userId, institutionId: INST_A }],
      tx,
    );
    await delivery.replaceMembers(LEFT, [], tx);
  });
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a file's groupId", () => {
  it("is taken from a member device, and from the official's token when one of their devices is a member", async () => {
    const fromPhone = await files.create(device(amina, amina.phone), input(GROUP));
    expect(fromPhone).toMatchObject({ state: 'uploading', groupId: GROUP });
    const fromToken = await files.create(token(amina), input(GROUP));
    expect(fromToken.groupId).toBe(GROUP);
    // Another institution's member tags the group it shares: its file counts against its own institution.
    const fromB = await files.create(device(omar, omar.phone, INST_B), input(GROUP));
    expect(fromB.groupId).toBe(GROUP);
    expect(await files.status(device(omar, omar.phone, INST_B), fromB.id)).toMatchObject({ groupId: GROUP });
  });

  it('is optional: a file of no group is taken as before', async () => {
    expect((await files.create(device(bilal, bilal.phone), input())).groupId).toBeNull();
  });

  it.each([
    ['a device of the institution that is no member', () => device(bilal, bilal.phone), GROUP],
    ["the official's token when none of their devices is a member", () => token(bilal), GROUP],
    ["another device of a member's official", () => device(amina, amina.laptop), GROUP],
    ['a device dropped from the group', () => device(amina, amina.laptop), LEFT],
    ['a member tagging a group that does not exist', () => device(amina, amina.phone), 'bm8tc3VjaC1ncm91cA'],
  ])('is refused with 404 group_not_found for %s, nothing stored', async (_, who, groupId) => {
    const before = await stored();
    expect(await codeOf(files.create(who(), input(groupId)))).toEqual({
      code: 'group_not_found',
      status: 404,
    });
    expect(await stored()).toEqual(before);
  });

  it("answers another institution's device the same for a group of A's it is not in as for none", async () => {
    await delivery.db.transaction((tx) =>
      delivery.replaceMembers(
        GROUP,
        [{ leafIndex: 0, deviceId: amina.phone, userId: amina.userId, institutionId: INST_A }],
        tx,
      ),
    );
    const omarsPhone = device(omar, omar.phone, INST_B);
    const before = await stored();
    const ofA = await codeOf(files.create(omarsPhone, input(GROUP)));
    const none = await codeOf(files.create(omarsPhone, input(randomBytes(16).toString('base64url'))));
    expect(ofA).toEqual({ code: 'group_not_found', status: 404 });
    expect(none).toEqual(ofA);
    expect(await stored()).toEqual(before);
  });
});
