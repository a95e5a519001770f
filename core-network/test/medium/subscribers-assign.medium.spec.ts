import { institutionScope, type Principal } from '@pakawaaz/platform';
import { fakeSim } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreNetworkFixture, testOperator, upload, type CoreNetworkFixture } from '../support/fixture.js';
import { BulkAssignmentService } from '../../src/subscribers/bulk-assignment.service.js';
import { Officials } from '../../src/subscribers/officials.js';

/*
 * Assigning by person: the official is named by username or id and must exist and be active in identity
 * (here the directory identity would answer with); their institution is taken from identity, never from
 * the request; bulk files are checked line by line with the same codes.
 */

const INTERIOR = '11111111-1111-4111-8111-111111111111';
const FINANCE = '33333333-3333-4333-8333-333333333333';
const sims = Array.from({ length: 8 }, (_, i) => fakeSim(301 + i));
const imsi = (i: number) => sims[i]!.imsi;
const ctx = { principal: testOperator, requestId: 'req-assign' };
const interiorOperator: Principal = {
  ...testOperator,
  roles: ['viewer'],
  institutionId: INTERIOR,
  scope: institutionScope([INTERIOR]),
};

let fx: CoreNetworkFixture;

beforeAll(async () => {
  fx = await coreNetworkFixture();
  await fx.importSims(sims);
  fx.directory.add({
    userId: 'a0000000-0000-4000-8000-000000000001',
    username: 'ayesha',
    displayName: 'Ayesha Khan',
    institutionId: INTERIOR,
    institutionName: 'Ministry of Interior',
  });
  fx.directory.add({
    userId: 'a0000000-0000-4000-8000-000000000002',
    username: 'bilal',
    displayName: 'Bilal Ahmed',
    institutionId: FINANCE,
    institutionName: 'Ministry of Finance',
    status: 'disabled',
  });
  fx.directory.add({
    userId: 'a0000000-0000-4000-8000-000000000003',
    username: 'sana',
    displayName: 'Sana Mir',
    institutionId: FINANCE,
    institutionName: 'Ministry of Finance',
  });
  fx.directory.add({
    userId: 'a0000000-0000-4000-8000-000000000004',
    username: 'noc.admin',
    displayName: 'NOC Administrator',
    kind: 'operator',
    institutionId: null,
    institutionName: null,
  });
});
afterAll(() => fx?.close());

describe('assign by person', () => {
  it('by username: the name and institution come from identity, and are shown by name', async () => {
    const s = await fx.subscribers.assign({ imsi: imsi(0), official: 'Ayesha' }, ctx);
    expect(s).toMatchObject({
      userId: 'a0000000-0000-4000-8000-000000000001',
      username: 'ayesha',
      displayName: 'Ayesha Khan',
      institutionId: INTERIOR,
      institutionName: 'Ministry of Interior',
      officialStatus: 'active',
    });
    const listed = await fx.subscribers.list({ limit: 10, offset: 0, search: imsi(0) }, testOperator);
    expect(listed.rows[0]).toMatchObject({ username: 'ayesha', institutionName: 'Ministry of Interior' });
  });

  it('by id, with the matching institution given', async () => {
    const s = await fx.subscribers.assign(
      { imsi: imsi(1), official: 'a0000000-0000-4000-8000-000000000003', institutionId: FINANCE },
      ctx,
    );
    expect(s).toMatchObject({ username: 'sana', institutionId: FINANCE });
  });

  it('refuses a person identity does not know, a disabled one, an operator, and a contradicting institution', async () => {
    await expect(fx.subscribers.assign({ imsi: imsi(2), official: 'nobody' }, ctx)).rejects.toMatchObject({
      code: 'official_not_found',
      status: 404,
    });
    await expect(fx.subscribers.assign({ imsi: imsi(2), official: 'bilal' }, ctx)).rejects.toMatchObject({
      code: 'official_disabled',
      status: 409,
    });
    await expect(
      fx.subscribers.assign({ imsi: imsi(2), official: 'sana', institutionId: INTERIOR }, ctx),
    ).rejects.toMatchObject({ code: 'institution_mismatch', status: 409 });
    await expect(
      fx.subscribers.assign({ imsi: imsi(2), official: 'sana', institutionId: null }, ctx),
    ).rejects.toMatchObject({ code: 'institution_mismatch' });
    // A NOC operator's account never holds a SIM (it would sign in over RADIUS with it).
    await expect(fx.subscribers.assign({ imsi: imsi(2), official: 'noc.admin' }, ctx)).rejects.toMatchObject({
      code: 'not_an_official',
      status: 422,
    });
    // Nothing was taken from the inventory by a refusal.
    expect((await fx.repo.existingByImsi(fx.db.handle.db, [imsi(2)]))[0]?.status).toBe('available');
    expect(await fx.subscribersRepo.find(imsi(2))).toBeUndefined();
  });

  it('an institution principal is refused; its lookups never reach other institutions’ people', async () => {
    await expect(
      fx.subscribers.assign(
        { imsi: imsi(2), official: 'ayesha' },
        { principal: interiorOperator, requestId: null },
      ),
    ).rejects.toMatchObject({ code: 'national_only' });
    await expect(fx.officials.assignable('sana', interiorOperator)).rejects.toMatchObject({
      code: 'official_not_found',
    });
    expect((await fx.officials.assignable('ayesha', interiorOperator)).username).toBe('ayesha');
  });

  it('without identity on the node nobody can be assigned (503)', async () => {
    await expect(new Officials().assignable('ayesha', testOperator)).rejects.toMatchObject({
      code: 'official_directory_unavailable',
      status: 503,
    });
  });

  it('unassigns: the SIM is available again and can go to someone else', async () => {
    await fx.subscribers.unassign(imsi(1), ctx);
    expect((await fx.repo.existingByImsi(fx.db.handle.db, [imsi(1)]))[0]?.status).toBe('available');
    expect(await fx.subscribers.assign({ imsi: imsi(1), official: 'ayesha' }, ctx)).toMatchObject({
      username: 'ayesha',
    });
  });
});

describe('bulk assignment from CSV', () => {
  const bulk = () => new BulkAssignmentService(fx.subscribers);
  const csv = [
    'imsi,username',
    `${imsi(3)},ayesha`,
    '# a comment line is skipped',
    `${imsi(4)},nobody`,
    `${imsi(5)},bilal`,
    `12345,sana`,
    `${imsi(0)},sana`,
    `${imsi(6)},"sana"`,
    `${imsi(6)},ayesha`,
    '',
  ].join('\n');
  const expectedErrors = [
    { line: 4, imsi: imsi(4), code: 'official_not_found' },
    { line: 5, imsi: imsi(5), code: 'official_disabled' },
    { line: 6, code: 'invalid_line' },
    { line: 7, imsi: imsi(0), code: 'subscriber_exists' },
    { line: 9, imsi: imsi(6), code: 'duplicate_imsi' },
  ];

  it('a dry run reports every line as the real run would, and changes nothing', async () => {
    const r = await bulk().run(upload(csv, 7), { dryRun: true, principal: testOperator, requestId: null });
    expect(r).toMatchObject({ dryRun: true, totalRows: 7, assigned: 2, failed: 5 });
    expect(r.errors).toMatchObject(expectedErrors);
    expect(await fx.subscribersRepo.find(imsi(3))).toBeUndefined();
  });

  it('assigns the good lines, each on its own, and reports the others by line', async () => {
    const r = await bulk().run(upload(csv, 5), { dryRun: false, principal: testOperator, requestId: null });
    expect(r).toMatchObject({ dryRun: false, totalRows: 7, assigned: 2, failed: 5 });
    expect(r.errors).toMatchObject(expectedErrors);
    expect((await fx.subscribersRepo.find(imsi(3)))?.institutionId).toBe(INTERIOR);
    expect((await fx.subscribersRepo.find(imsi(6)))?.displayName).toBe('Sana Mir');
  });

  it('a file over a limit or without the header changes nothing', async () => {
    const big = ['imsi,username', `${imsi(7)},ayesha`, `${imsi(2)},ayesha`].join('\n');
    await expect(
      bulk().run(
        upload(big),
        { dryRun: false, principal: testOperator, requestId: null },
        { maxBytes: 1024, maxRows: 1, maxLineBytes: 100 },
      ),
    ).rejects.toMatchObject({ code: 'assignment_file_too_large', status: 413 });
    expect(await fx.subscribersRepo.find(imsi(7))).toBeUndefined();
    await expect(
      bulk().run(upload(`imsi,user\n${imsi(7)},ayesha\n`), {
        dryRun: false,
        principal: testOperator,
        requestId: null,
      }),
    ).rejects.toMatchObject({ code: 'invalid_assignment_file', status: 400 });
  });
});
