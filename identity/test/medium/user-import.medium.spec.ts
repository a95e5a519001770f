import { Readable } from 'node:stream';
import { institutionScope } from '@pakawaaz/platform';
import { refusal } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { EnrolmentService } from '../../src/onboarding/enrolment.service.js';
import { UserImportService } from '../../src/onboarding/user-import.service.js';
import { verifyPassword } from '../../src/passwords/password-hasher.js';
import {
  createIdentityFixture,
  principal,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

/*
 * Onboarding 10,000 officials from CSV on PostgreSQL, as an institution's security officer: a dry run that
 * changes nothing, the real run with per-line errors, enrolment codes handed out once and redeemed once, and
 * a second import that updates only what changed.
 */

let fx: IdentityFixture;
let imports: UserImportService;
const root = { principal: principal(['super-admin']), requestId: null };
const N = 10_000;

beforeAll(async () => {
  fx = await createIdentityFixture();
  imports = fx.get(UserImportService);
});
afterAll(async () => fx?.close());
beforeEach(async () => resetIdentityData(fx.handle));

async function world() {
  const inst = fx.get(InstitutionsService);
  const interior = await inst.create({ name: 'Ministry of Interior' }, root);
  const passports = await inst.create({ name: 'Directorate of Passports', parentId: interior.id }, root);
  const finance = await inst.create({ name: 'Ministry of Finance' }, root);
  const officer = {
    principal: principal(['security-officer'], {
      actor: { type: 'operator', id: '00000000-0000-4000-8000-0000000000a1' },
      name: 'interior-officer',
      institutionId: interior.id,
      scope: institutionScope([interior.id, passports.id]),
    }),
    requestId: null,
  };
  return { interior, passports, finance, officer };
}

/** N good officials (every 7th in the department, by name; the others by the ministry's id) and 6 bad lines. */
function officialsCsv(interiorId: string, designation = (i: number) => `Section Officer ${i % 40}`): string {
  const lines = ['username,name,designation,institution,email,phone,imsi'];
  for (let i = 0; i < N; i++) {
    const inst = i % 7 === 0 ? 'Directorate of Passports' : interiorId;
    const imsi = i % 100 === 0 ? `41001${String(i).padStart(10, '0')}` : '';
    lines.push(
      `off${i},"Official ${i}, Esq.",${designation(i)},${inst},off${i}@gov.example,+92 51 ${1000000 + i},${imsi}`,
    );
  }
  lines.push('bad-mail,Bad Mail,,Ministry of Interior,not-an-address,,'); // line N+2
  lines.push('nowhere,No Where,,Ministry of Nothing,,,'); // N+3
  lines.push('"stray,Stray Quote,,Ministry of Interior,,,'); // N+4
  lines.push('-dash,Dash,,Ministry of Interior,,,'); // N+5
  lines.push('off5,Again,,Ministry of Interior,,,'); // N+6: the username is on line 7 already
  lines.push('fin1,Finance Official,,Ministry of Finance,,,'); // N+7: outside the officer's scope
  return lines.join('\n') + '\n';
}

async function run(csv: string, dryRun: boolean, ctx: Awaited<ReturnType<typeof world>>['officer']) {
  const started = await imports.start(
    Readable.from([Buffer.from(csv)]),
    { declaredBytes: undefined, filename: 'officials.csv', dryRun },
    ctx,
  );
  await imports.settled(started.id);
  return imports.job(started.id, ctx);
}

const count = async () =>
  (
    await query<{ n: number }>(
      fx.handle,
      "select count(*)::int n from identity.users where kind = 'official'",
    )
  )[0]!.n;

describe('onboarding officials from CSV', () => {
  it('dry-runs, then onboards 10,000 officials with per-line errors and one-time enrolment codes', async () => {
    const { interior, passports, officer } = await world();
    const csv = officialsCsv(interior.id);

    const t0 = performance.now();
    const dry = await run(csv, true, officer);
    const dryMs = performance.now() - t0;
    expect(dry).toMatchObject({
      status: 'completed',
      dryRun: true,
      totalRows: N + 6,
      created: N,
      updated: 0,
      invalid: 6,
      imsis: 100,
    });
    expect(await count()).toBe(0);
    await expect(refusal(imports.codes(dry.id, officer))).resolves.toMatchObject({
      code: 'enrolment_codes_gone',
    });

    const t1 = performance.now();
    const job = await run(csv, false, officer);
    const realMs = performance.now() - t1;
    console.log(`10,000 officials: dry run ${dryMs.toFixed(0)} ms, import ${realMs.toFixed(0)} ms`);
    expect(job).toMatchObject({ status: 'completed', created: N, updated: 0, unchanged: 0, invalid: 6 });
    expect(job.errors.map((e) => [e.line, e.reason])).toEqual([
      [N + 2, 'email is not an address'],
      [N + 3, 'no institution "Ministry of Nothing"'],
      [N + 4, 'a quoted field is not closed on its line'],
      [N + 5, 'username may hold letters, digits, dot, dash, underscore, starting with a letter or digit'],
      [N + 6, 'the username is also on line 7'],
      [N + 7, 'institution "Ministry of Finance" is outside your scope'],
    ]);
    expect(await count()).toBe(N);
    const [dept] = await query<{ n: number }>(
      fx.handle,
      `select count(*)::int n from identity.users where institution_id = '${passports.id}'`,
    );
    expect(dept!.n).toBe(Math.ceil(N / 7));
    const [u] = await query<{
      display_name: string;
      password_hash: string;
      totp_enrolment_required: boolean;
    }>(
      fx.handle,
      "select display_name, password_hash, totp_enrolment_required from identity.users where username = 'off42'",
    );
    expect(u).toMatchObject({ display_name: 'Official 42, Esq.', totp_enrolment_required: true });
    expect(await verifyPassword(u!.password_hash, '')).toBe(false);

    // The codes: once, to the creator only; hashes only at rest.
    const other = { principal: principal(['security-officer']), requestId: null };
    await expect(refusal(imports.codes(job.id, other))).resolves.toMatchObject({
      code: 'enrolment_codes_gone',
    });
    const codes = (await imports.codes(job.id, officer)).trimEnd().split('\n');
    expect(codes[0]).toBe('username,enrolment_code,expires_at,imsi');
    expect(codes).toHaveLength(N + 1);
    await expect(refusal(imports.codes(job.id, officer))).resolves.toMatchObject({
      code: 'enrolment_codes_gone',
    });
    const [stored] = await query<{ n: number }>(
      fx.handle,
      'select count(*)::int n from identity.user_import_codes',
    );
    expect(stored!.n).toBe(0);
    const line = codes.find((l) => l.startsWith('off100,'))!.split(',');
    expect(line[3]).toBe('410010000000100');
    const code = line[1]!;
    const [leak] = await query<{ n: number }>(
      fx.handle,
      `select count(*)::int n from identity.user_enrolments where code_hash like '%${code}%'`,
    );
    expect(leak!.n).toBe(0);

    // The official chooses a password with the code; the code is spent; the wrong account's code fails.
    const enrol = fx.get(EnrolmentService);
    const password = 'lantern-meadow-cobalt-41';
    await expect(refusal(enrol.redeem({ username: 'off101', code, password }, {}))).resolves.toMatchObject({
      code: 'enrolment_code_invalid',
    });
    await expect(
      enrol.redeem({ username: 'OFF100', code: code.toLowerCase(), password }, {}),
    ).resolves.toEqual({ username: 'off100' });
    const [after] = await query<{ password_hash: string }>(
      fx.handle,
      "select password_hash from identity.users where username = 'off100'",
    );
    expect(await verifyPassword(after!.password_hash, password)).toBe(true);
    await expect(refusal(enrol.redeem({ username: 'off100', code, password }, {}))).resolves.toMatchObject({
      code: 'enrolment_code_invalid',
    });

    // Again with three designations changed: three updates, the rest unchanged, nobody created twice.
    const again = await run(
      officialsCsv(interior.id, (i) => (i < 3 ? 'Deputy Secretary' : `Section Officer ${i % 40}`)),
      false,
      officer,
    );
    expect(again).toMatchObject({
      status: 'completed',
      created: 0,
      updated: 3,
      unchanged: N - 3,
      invalid: 6,
    });
    expect(await count()).toBe(N);
  }, 600_000);

  it('resumes an interrupted job where it stopped, creating nobody twice', async () => {
    const { interior, officer } = await world();
    const rows = ['username,name,institution'];
    for (let i = 0; i < 2_000; i++) rows.push(`res${i},Resumed ${i},${interior.id}`);
    // The seam: the fourth chunk's commit fails (as a database outage would), after three committed.
    type Seam = { commitChunk: (...args: unknown[]) => Promise<void> };
    const seam = imports as unknown as Seam;
    const original = seam.commitChunk;
    let chunks = 0;
    seam.commitChunk = function (this: unknown, ...args: unknown[]) {
      if (++chunks === 4) return Promise.reject(new Error('connection lost'));
      return original.apply(this, args);
    };
    let job;
    try {
      job = await run(rows.join('\n'), false, officer);
    } finally {
      seam.commitChunk = original;
    }
    expect(job).toMatchObject({ status: 'queued', created: 750, attempts: 1, committedLines: 751 });
    expect(job.failure).toMatch(
      /^interrupted \(error id [0-9a-f-]{36}\) in attempt 1 of 3; it resumes shortly$/,
    );

    await imports.onApplicationBootstrap(); // a restart
    await imports.settled(job.id);
    const resumed = await imports.job(job.id, officer);
    expect(resumed).toMatchObject({ status: 'completed', created: 2_000, unchanged: 0, invalid: 0 });
    expect(await count()).toBe(2_000);
    const codes = (await imports.codes(job.id, officer)).trimEnd().split('\n');
    expect(new Set(codes.slice(1).map((l) => l.split(',')[0])).size).toBe(2_000);
  });

  it('refuses a file that is not an officials CSV before any job exists', async () => {
    const { officer } = await world();
    const noHeader = 'login,email\nx,y@z.example\n';
    await expect(refusal(run(noHeader, true, officer))).resolves.toMatchObject({
      code: 'invalid_user_import',
    });
    const longLine = `username,name,institution\n${'a'.repeat(5_000)}\n`;
    await expect(refusal(run(longLine, true, officer))).resolves.toMatchObject({
      code: 'invalid_user_import',
    });
    const viewer = { principal: principal(['viewer']), requestId: null };
    await expect(refusal(run('username,name,institution\na,b,c\n', true, viewer))).resolves.toMatchObject({
      status: 403,
    });
    const [jobs] = await query<{ n: number }>(
      fx.handle,
      'select count(*)::int n from identity.user_import_jobs',
    );
    expect(jobs!.n).toBe(0);
  });
});
